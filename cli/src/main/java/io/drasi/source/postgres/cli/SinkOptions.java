package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.http.DrasiHttpSink;
import io.drasi.source.postgres.http.HttpSinkConfig;
import io.drasi.source.postgres.http.HttpSinkConfigException;
import io.drasi.source.postgres.http.HttpSinkException;
import io.drasi.source.postgres.http.TruncatePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code --sink URL} and its tuning options: push to a drasi HTTP source instead of printing (stream, bootstrap). */
final class SinkOptions {

    @Option(
            names = "--sink",
            paramLabel = "URL",
            description = {
                "Push the changes to a drasi-lib / drasi-server HTTP source instead of stdout:"
                        + " http(s)://host:port/sources/ID (POST .../events/batch, acknowledged only after the server"
                        + " answered success). Retries with backoff while the server is down (the stream waits);"
                        + " a 4xx stops with the server's message. Bearer token from $$" + HttpSinkConfig.TOKEN_ENV
                        + " when set. https trusts the JVM's CAs (-Djavax.net.ssl.trustStore=... for a private CA)."
            })
    String url;

    @Option(
            names = "--sink-max-batch",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Most events per POST to --sink; larger batches are split (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(
            names = "--sink-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "Connect and reply timeout of one POST; a timeout is retried (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--sink-retries",
            paramLabel = "N",
            defaultValue = "-1",
            description =
                    "Retries of one POST before giving up with exit 1; -1 = for ever (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(
            names = "--sink-on-truncate",
            paramLabel = "fail|skip",
            defaultValue = "fail",
            description = "TRUNCATE has no drasi HTTP event: 'fail' stops with an error naming the table (default),"
                    + " 'skip' logs a WARN and goes on (Drasi keeps the table's old elements).")
    String onTruncate;

    boolean enabled() {
        return url != null;
    }

    /** @return the sink, or a ConfigurationException (exit 2) listing every problem */
    DrasiHttpSink open() {
        List<String> problems = new ArrayList<>();
        TruncatePolicy policy = null;
        try {
            policy = TruncatePolicy.valueOf(onTruncate.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add("--sink-on-truncate: '" + onTruncate + "' is not fail or skip");
        }
        try {
            HttpSinkConfig config = HttpSinkConfig.builder(url)
                    .withTokenFromEnv()
                    .withMaxBatchEvents(maxBatch)
                    .withRequestTimeout(timeout)
                    .withMaxRetries(retries)
                    .withOnTruncate(policy == null ? TruncatePolicy.FAIL : policy)
                    .build();
            if (problems.isEmpty()) {
                return new DrasiHttpSink(config);
            }
        } catch (HttpSinkConfigException e) {
            e.problems().forEach(p -> problems.add("--sink: " + p));
        }
        throw new ConfigurationException(problems);
    }

    /**
     * @return the sink's own exception when it caused {@code failure}, so its message (URL, server's answer) comes
     * first
     */
    static Throwable unwrap(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpSinkException) {
                return t;
            }
        }
        return failure;
    }
}

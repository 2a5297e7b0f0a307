package io.drasi.source.postgres.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.bootstrap.BootstrapProgress;
import io.drasi.source.postgres.bootstrap.BootstrapResult;
import io.drasi.source.postgres.mapping.json.HostPushJson;
import io.drasi.source.postgres.model.SourceChange;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ChangeSink} that pushes changes to a drasi-lib / drasi-server HTTP source (the {@code http}
 * source plugin in standard mode) with {@code POST {url}/events/batch} and body {@code {"events":[...]}} in
 * the event shape of {@link HostPushJson}, using only the JDK {@link HttpClient}.
 *
 * <pre>{@code
 * try (DrasiHttpSink sink = new DrasiHttpSink(HttpSinkConfig.builder("http://drasi:8080/sources/pg-source")
 *              .withTokenFromEnv().build());
 *      PostgresReplicationSource source = new PostgresReplicationSource("pg-source", pgConfig)) {
 *     source.startWithBootstrap(sink, progress -> {});
 *     ...                       // sink.stats() for progress
 * }
 * }</pre>
 *
 * <p><b>Batching.</b> The adapter already hands over one batch per poll (at most {@code max_batch_size}
 * changes; under a steady stream at most one per {@code poll_interval}, 10 ms by default), and {@code accept} must not
 * return
 * before the server acknowledged (returning acknowledges the position), so the sink never waits to fill a
 * batch: each batch is posted at once, split into consecutive POSTs of at most
 * {@link HttpSinkConfig#maxBatchEvents()} events. The count bound is therefore {@code maxBatchEvents} per
 * POST and the time bound is the adapter's poll interval. Bootstrap rows, which arrive one at a time, are
 * buffered up to {@code maxBatchEvents} or {@link HttpSinkConfig#maxBatchWait()} (see
 * {@link #bootstrapSink()}).
 *
 * <p><b>Acknowledgement.</b> {@code accept} returns only after every POST of the batch got a 2xx reply with
 * {@code "success": true} and no {@code error}. POSTs are sequential, so commit order is kept.
 *
 * <p><b>Retries</b> (same POST again, after exponential backoff with jitter, a WARN line per retry naming
 * URL, attempt and cause; {@code accept} blocks meanwhile, which stops the stream — backpressure):
 * connection errors, timeouts, 5xx, 408, 429 (honouring {@code Retry-After}), a partial failure (2xx,
 * {@code success: true} with an {@code error}: the drasi server applied some events only) and
 * {@code success: false} with a 2xx. A retried POST may have been applied in part or in whole, so the
 * server can see the events of that one POST twice; never other duplicates, never a gap.
 * {@link HttpSinkConfig#maxRetries()} bounds the retries (default for ever).
 *
 * <p><b>Fatal</b> (throws {@link HttpSinkException}, so the source stops in FAILED and the batch is
 * delivered again on the next start): any other status — 400 (invalid event or source id mismatch),
 * 401/403 (token), 404 (wrong URL, source id, or a source in webhook mode), 405, 415, 422, 3xx — a 2xx that
 * is not a drasi reply, an untrusted TLS certificate, a single event too large for the server (413; larger
 * POSTs are split in halves first), retries exhausted, or a TRUNCATE under {@link TruncatePolicy#FAIL}.
 *
 * <p>Thread-safety: {@code accept} is called from one thread at a time (the {@link ChangeSink} contract);
 * {@link #stats()} and {@link #close()} may be called from any thread.
 */
public final class DrasiHttpSink implements ChangeSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DrasiHttpSink.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_AGENT = "drasi-source-postgres-http-sink";
    private static final int BODY_EXCERPT = 300;

    private final HttpSinkConfig config;
    private final HttpClient client;
    private final URI batchUrl;
    private final Object sleepLock = new Object();

    private final AtomicLong postedEvents = new AtomicLong();
    private final AtomicLong postedRequests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong refusedPosts = new AtomicLong();
    private final AtomicLong tooLargePosts = new AtomicLong();
    private final AtomicLong truncatesSkipped = new AtomicLong();
    private volatile long pendingEvents;
    private volatile long pendingSinceNanos;
    private volatile long pendingOldestEffectiveMs;
    private volatile long lastAckLagMillis = -1;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile boolean failed;
    private volatile boolean closed;

    /** @param config validated configuration; never null */
    public DrasiHttpSink(HttpSinkConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (config.sslContext() != null) {
            b.sslContext(config.sslContext());
        }
        this.client = b.build();
        this.batchUrl = config.batchUrl();
    }

    /** @return the configuration */
    public HttpSinkConfig config() {
        return config;
    }

    /**
     * Posts the batch (TRUNCATEs handled per {@link HttpSinkConfig#onTruncate()}) and returns once the server
     * acknowledged all of it; blocks while the server is unreachable.
     *
     * @throws HttpSinkException    when the server refuses the batch for good (see the class comment)
     * @throws InterruptedException when interrupted while waiting
     */
    @Override
    public void accept(List<PositionedChange> changes) throws InterruptedException {
        List<SourceChange> out = new ArrayList<>(changes.size());
        for (PositionedChange pc : changes) {
            if (pc.change() instanceof SourceChange.Truncate t) {
                String table = t.schema() + "." + t.table();
                if (config.onTruncate() == TruncatePolicy.SKIP) {
                    truncatesSkipped.incrementAndGet();
                    LOG.warn(
                            "TRUNCATE of {} at {} skipped: the drasi HTTP source has no truncate event; its elements"
                                    + " stay in Drasi until deleted (onTruncate=SKIP)",
                            table,
                            pc.position());
                    continue;
                }
                post(out);
                out.clear();
                String msg = "TRUNCATE of table " + table + " at position " + pc.position() + " cannot be sent to "
                        + batchUrl + ": the drasi HTTP source has no truncate event and the sink cannot expand it"
                        + " into deletes (it does not know the server's elements). Restart with the sink's"
                        + " onTruncate=SKIP (drasi-pg: --sink-on-truncate skip) to skip it and remove the table's"
                        + " elements from Drasi another way (e.g. re-bootstrap the Drasi source)";
                fail(msg);
                throw new HttpSinkException(msg, batchUrl, -1, null, null);
            }
            out.add(pc.change());
        }
        post(out);
    }

    /**
     * Posts Inserts, Updates and Deletes in order, in POSTs of at most {@code maxBatchEvents}, and returns
     * once the server acknowledged all of them (retrying as described in the class comment).
     *
     * @param changes the changes, no Truncate; never null
     * @throws HttpSinkException        when the server refuses them for good
     * @throws IllegalArgumentException for a Truncate
     * @throws InterruptedException     when interrupted while waiting
     */
    public void post(List<? extends SourceChange> changes) throws InterruptedException {
        if (changes.isEmpty()) {
            return;
        }
        pendingSinceNanos = System.nanoTime();
        pendingOldestEffectiveMs = changes.get(0).effectiveFromMs();
        pendingEvents = changes.size();
        try {
            int max = config.maxBatchEvents();
            for (int from = 0; from < changes.size(); from += max) {
                int to = Math.min(changes.size(), from + max);
                postChunk(changes.subList(from, to));
                pendingEvents = changes.size() - to;
                if (to < changes.size()) {
                    pendingOldestEffectiveMs = changes.get(to).effectiveFromMs();
                }
            }
        } finally {
            pendingEvents = 0;
        }
    }

    /**
     * A {@link io.drasi.source.postgres.bootstrap.BootstrapSink} that pushes snapshot rows through this sink,
     * buffered up to {@code maxBatchEvents} rows or {@code maxBatchWait} (checked when a row arrives). Call
     * {@link HttpBootstrapSink#flush()} after the bootstrap returned to post the rest.
     *
     * @return a new bootstrap sink on this sink's connection and counters
     */
    public HttpBootstrapSink bootstrapSink() {
        return new HttpBootstrapSink(this);
    }

    /**
     * Runs {@link PostgresReplicationSource#bootstrap} into this sink and posts the last rows.
     *
     * @param source   the source (need not be started)
     * @param labels   tables to read; empty for all
     * @param progress bootstrap progress listener
     * @return the bootstrap's result, once every row was acknowledged by the server
     */
    public BootstrapResult pushBootstrap(
            PostgresReplicationSource source, Set<String> labels, BootstrapProgress progress) {
        HttpBootstrapSink rows = bootstrapSink();
        BootstrapResult result = source.bootstrap(labels, rows, progress);
        rows.flush();
        return result;
    }

    /** @return a snapshot of the counters */
    public HttpSinkStats stats() {
        long pending = pendingEvents;
        String err = lastError;
        Instant errAt = lastErrorAt;
        long lag = pending > 0 ? Math.max(0, System.currentTimeMillis() - pendingOldestEffectiveMs) : lastAckLagMillis;
        Duration pendingFor = pending > 0 ? Duration.ofNanos(System.nanoTime() - pendingSinceNanos) : Duration.ZERO;
        return new HttpSinkStats(
                postedEvents.get(),
                postedRequests.get(),
                retries.get(),
                truncatesSkipped.get(),
                pending,
                pendingFor,
                lag,
                Optional.ofNullable(err),
                Optional.ofNullable(errAt),
                failed);
    }

    /** @return POSTs refused for good (a status that is not retried), for {@link HttpSinkMetrics} */
    long refusedPosts() {
        return refusedPosts.get();
    }

    /**
     * @return POSTs answered 413 (then split in halves, or refused for good when a single event), for {@link
     * HttpSinkMetrics}
     */
    long tooLargePosts() {
        return tooLargePosts.get();
    }

    /**
     * Stops retrying: a POST in flight still completes (bounded by the request timeout), but a failed attempt
     * is no longer retried — {@code accept} throws and the batch stays unacknowledged (delivered again on the
     * next start). Lets a source stop while the server is down. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (sleepLock) {
            sleepLock.notifyAll();
        }
    }

    private void postChunk(List<? extends SourceChange> chunk) throws InterruptedException {
        byte[] body = HostPushJson.encodeBatch(chunk).getBytes(StandardCharsets.UTF_8);
        int attempt = 0;
        while (true) {
            attempt++;
            Outcome o = send(body);
            switch (o.kind) {
                case ACK -> {
                    postedRequests.incrementAndGet();
                    postedEvents.addAndGet(chunk.size());
                    lastAckLagMillis = Math.max(
                            0,
                            System.currentTimeMillis()
                                    - chunk.get(chunk.size() - 1).effectiveFromMs());
                    if (attempt > 1) {
                        LOG.info("POST {} succeeded after {} attempts ({} events)", batchUrl, attempt, chunk.size());
                    }
                    return;
                }
                case TOO_LARGE -> {
                    tooLargePosts.incrementAndGet();
                    if (chunk.size() > 1) {
                        int half = chunk.size() / 2;
                        LOG.warn(
                                "POST {} refused {} events as too large ({}); posting them in two halves — lower"
                                        + " maxBatchEvents (drasi-pg: --sink-max-batch)",
                                batchUrl,
                                chunk.size(),
                                o.description);
                        postChunk(chunk.subList(0, half));
                        postChunk(chunk.subList(half, chunk.size()));
                        return;
                    }
                    String msg = "POST " + batchUrl + " refused a single event as too large: " + o.description
                            + " — raise the request body limit of the drasi server";
                    fail(msg);
                    throw new HttpSinkException(msg, batchUrl, o.status, o.serverMessage, null);
                }
                case FATAL -> {
                    refusedPosts.incrementAndGet();
                    fail(o.description);
                    throw new HttpSinkException(o.description, batchUrl, o.status, o.serverMessage, o.cause);
                }
                case RETRY -> {
                    retries.incrementAndGet();
                    recordError(o.description);
                    if (closed) {
                        String msg = "sink closed while POST " + batchUrl + " was failing (" + o.description + "); "
                                + chunk.size() + " events not acknowledged, they are delivered again on the next start";
                        fail(msg);
                        throw new HttpSinkException(msg, batchUrl, o.status, o.serverMessage, o.cause);
                    }
                    if (config.maxRetries() >= 0 && attempt > config.maxRetries()) {
                        String msg = "POST " + batchUrl + " failed " + attempt + " times, giving up (maxRetries="
                                + config.maxRetries() + "); last cause: " + o.description;
                        fail(msg);
                        throw new HttpSinkException(msg, batchUrl, o.status, o.serverMessage, o.cause);
                    }
                    long delay = backoffMillis(attempt, o.retryAfterMillis);
                    LOG.warn(
                            "POST {} failed (attempt {}, {} events): {}; retrying in {} ms",
                            batchUrl,
                            attempt,
                            chunk.size(),
                            o.description,
                            delay);
                    sleep(delay);
                }
                default -> throw new IllegalStateException(o.kind.toString());
            }
        }
    }

    private Outcome send(byte[] body) throws InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(batchUrl)
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        config.bearerToken().ifPresent(t -> rb.header("Authorization", "Bearer " + t));
        HttpResponse<String> response;
        try {
            response = client.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            return Outcome.retry(
                    "no connection within " + config.requestTimeout().toMillis() + " ms", e);
        } catch (HttpTimeoutException e) {
            return Outcome.retry("no reply within " + config.requestTimeout().toMillis() + " ms (requestTimeout)", e);
        } catch (ConnectException e) {
            return Outcome.retry(
                    "cannot connect to " + batchUrl.getHost() + ":" + port() + " (" + describe(e) + ")", e);
        } catch (IOException e) {
            if (hasCause(e, CertificateException.class)) {
                return Outcome.fatal(
                        -1,
                        null,
                        "TLS: the certificate of " + batchUrl.getHost() + " is not trusted ("
                                + describe(e) + ") — trust its CA with -Djavax.net.ssl.trustStore=FILE"
                                + " -Djavax.net.ssl.trustStorePassword=... (standard JSSE properties)",
                        e);
            }
            return Outcome.retry(describe(e), e);
        }
        return classify(
                response.statusCode(),
                response.body(),
                response.headers().firstValue("Retry-After"),
                response.headers().firstValue("Location"));
    }

    private Outcome classify(int status, String body, Optional<String> retryAfter, Optional<String> location) {
        JsonNode reply = parse(body);
        String server = serverMessage(reply, body);
        if (status >= 200 && status < 300) {
            if (reply == null || !reply.isObject() || !reply.path("success").isBoolean()) {
                return Outcome.fatal(
                        status,
                        server,
                        "POST " + batchUrl + " answered HTTP " + status + " but not with"
                                + " a drasi HTTP source reply ({\"success\":...}): " + server
                                + " — check that the URL points at"
                                + " a drasi http source (standard mode)",
                        null);
            }
            String error = text(reply.get("error"));
            if (reply.get("success").booleanValue() && error == null) {
                return Outcome.ACK_OUTCOME;
            }
            if (reply.get("success").booleanValue()) {
                return Outcome.retry(
                        status,
                        server,
                        "partial failure, HTTP " + status + " " + server + " — re-posting the whole batch",
                        0);
            }
            return Outcome.retry(status, server, "HTTP " + status + " with success=false: " + server, 0);
        }
        String prefix = "POST " + batchUrl + " was refused with HTTP " + status + ": " + server;
        if (status >= 500 || status == 408 || status == 429) {
            return Outcome.retry(status, server, "HTTP " + status + ": " + server, retryAfterMillis(retryAfter));
        }
        if (status == 413) {
            Outcome o = new Outcome(Kind.TOO_LARGE, status, server, "HTTP 413: " + server, null, 0);
            return o;
        }
        String hint = switch (status) {
            case 400 ->
                " — the server refused the events as invalid or the source id in the URL (" + config.sourceId()
                        + ") is not the drasi source's id";
            case 401, 403 -> " — check the Bearer token (" + HttpSinkConfig.TOKEN_ENV + ")";
            case 404 ->
                " — no drasi HTTP source at this URL: check host, port and source id (" + config.sourceId()
                        + "), and that the source runs in standard mode (webhook mode answers 404)";
            case 405, 415, 422 -> " — the server does not accept the drasi HTTP source event format at this URL";
            default ->
                status >= 300 && status < 400
                        ? " — the server redirects"
                                + location.map(l -> " to " + l).orElse("") + "; configure the final URL"
                        : " — not retried (a retry would be refused the same way)";
        };
        return Outcome.fatal(status, server, prefix + hint, null);
    }

    private long backoffMillis(int attempt, long retryAfterMillis) {
        long initial = config.backoffInitial().toMillis();
        long max = config.backoffMax().toMillis();
        long exp = initial << Math.min(attempt - 1, 30);
        long cap = exp <= 0 || exp > max ? max : exp;
        long half = Math.max(1, cap / 2);
        long delay = cap - half + ThreadLocalRandom.current().nextLong(half + 1);
        return Math.max(delay, Math.min(retryAfterMillis, max));
    }

    private void sleep(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (sleepLock) {
            long left;
            while (!closed && (left = deadline - System.nanoTime()) > 0) {
                sleepLock.wait(Math.max(1, left / 1_000_000L));
            }
        }
    }

    private int port() {
        return batchUrl.getPort() >= 0
                ? batchUrl.getPort()
                : batchUrl.getScheme().equals("https") ? 443 : 80;
    }

    private void recordError(String description) {
        lastError = description;
        lastErrorAt = Instant.now();
    }

    private void fail(String description) {
        recordError(description);
        failed = true;
    }

    private static long retryAfterMillis(Optional<String> header) {
        if (header.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(header.get().trim())) * 1000L;
        } catch (NumberFormatException e) {
            return 0; // an HTTP date: use the normal backoff
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** @return "message: error" from a drasi reply, else the start of the body */
    private static String serverMessage(JsonNode reply, String body) {
        if (reply != null && reply.isObject() && (reply.has("message") || reply.has("error"))) {
            String message = text(reply.get("message"));
            String error = text(reply.get("error"));
            if (message != null && error != null) {
                return "'" + message + ": " + error + "'";
            }
            return "'" + (message != null ? message : error) + "'";
        }
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return "'" + (oneLine.length() > BODY_EXCERPT ? oneLine.substring(0, BODY_EXCERPT) + "..." : oneLine) + "'";
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        String s = n.isTextual() ? n.textValue() : n.toString();
        return s.isBlank() ? null : s;
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private enum Kind {
        ACK,
        RETRY,
        FATAL,
        TOO_LARGE
    }

    private record Outcome(
            Kind kind, int status, String serverMessage, String description, Throwable cause, long retryAfterMillis) {
        static final Outcome ACK_OUTCOME = new Outcome(Kind.ACK, 200, null, "ok", null, 0);

        static Outcome retry(String description, Throwable cause) {
            return new Outcome(Kind.RETRY, -1, null, description, cause, 0);
        }

        static Outcome retry(int status, String server, String description, long retryAfterMillis) {
            return new Outcome(Kind.RETRY, status, server, description, null, retryAfterMillis);
        }

        static Outcome fatal(int status, String server, String description, Throwable cause) {
            return new Outcome(Kind.FATAL, status, server, description, cause, 0);
        }
    }
}

package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.SourceClosedException;
import io.drasi.source.postgres.SourceStats;
import io.drasi.source.postgres.http.DrasiHttpSink;
import io.drasi.source.postgres.http.HttpSinkMetrics;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "stream",
        header = "Streams changes from a real PostgreSQL to stdout until stopped (or --max-changes).",
        description = {
            "Streams the changes of the configured tables from a real PostgreSQL to stdout, one JSON object per"
                    + " line, until stopped.",
            "Creates the publication and the replication slot when missing. Delivery is at-least-once with"
                    + " the position saved after every printed batch (offset file), so a restart resumes where"
                    + " the previous run stopped.",
            "SIGTERM or Ctrl-C stops cleanly: the batch in flight is finished and its position saved"
                    + " (the JVM then exits with 143 or 130)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  drasi-pg stream --config source.yaml",
            "  drasi-pg stream --config source.yaml --bootstrap --offsets state/pg.offsets",
            "  drasi-pg stream --config source.yaml --format host",
            "  drasi-pg stream --config source.yaml --max-changes 100 > changes.jsonl",
            "  DRASI_SINK_TOKEN=... drasi-pg stream --config source.yaml --bootstrap --sink "
                    + "http://drasi:8080/sources/pg-source",
            "",
            "Example output (seed format):",
            "  {\"type\":\"Insert\",\"element\":{\"metadata\":{\"element_id\":\"public:users:1\","
                    + "\"source_id\":\"pg-source\","
                    + "\"labels\":[\"users\"],\"effective_from\":1764100000000},\"properties\":{\"id\":1,"
                    + "\"name\":\"Alice\"}}}"
        })
final class StreamCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    SinkOptions sinkOptions;

    @Mixin
    OutputOptions output;

    @Option(
            names = "--bootstrap",
            description = "On the first start (replication slot not there yet) print an Insert for every existing"
                    + " row from a consistent snapshot, then stream from exactly that point (no gap, no overlap)."
                    + " When the slot exists the stream just resumes.")
    boolean bootstrap;

    @Option(
            names = {"-n", "--max-changes"},
            paramLabel = "N",
            description = "Exit 0 once N changes were printed. The batch that reaches N (and any already handed to the"
                    + " stdout writer, at most 2 more) is printed whole, so at least N lines appear and the saved "
                    + "position"
                    + " matches exactly what was printed.")
    long maxChanges;

    @Option(
            names = "--offsets",
            paramLabel = "PATH",
            description = "Offset file holding the acknowledged position (overrides the config's offset_store;"
                    + " default: the config's offset_store, else $XDG_STATE_HOME/drasi-pg/{sourceId}.offsets, i.e."
                    + " ~/.local/state/drasi-pg/{sourceId}.offsets). 'memory' keeps it in memory.")
    String offsets;

    @Option(
            names = "--force",
            description = "Stream even when the configuration says autoStart: false (drasi-server would not start"
                    + " that source; without --force stream refuses with exit 2).")
    boolean force;

    @Mixin
    MonitoringOptions monitoring;

    @Mixin
    CommandDefaults defaults;

    @Override
    public Integer call() throws Exception {
        ConfigOptions.Loaded loaded = configOptions.loadToStart("stream", force);
        PostgresSourceConfig config = loaded.config();
        if (offsets != null) {
            config = "memory".equals(offsets)
                    ? config.toBuilder().withInMemoryOffsets().build()
                    : config.toBuilder().withOffsetStore(Path.of(offsets)).build();
        }
        config = StateDirectory.withDefaultOffsets(
                config,
                loaded.sourceId(),
                System.getenv(),
                Path.of(System.getProperty("user.home")),
                Path.of("").toAbsolutePath());
        String db = config.database();
        DrasiHttpSink http = sinkOptions.enabled() ? sinkOptions.open() : null;
        String verb = http == null ? "printed" : "posted to " + http.config().url();
        AtomicLong printed = new AtomicLong();
        CountDownLatch reached = new CountDownLatch(1);
        long start = System.nanoTime();
        LongConsumer count = n -> {
            long total = printed.addAndGet(n);
            if (maxChanges > 0 && total >= maxChanges) {
                reached.countDown(); // wakes the main thread, which stops the source
            }
        };
        StdoutSink stdout = http == null ? new StdoutSink(output.format, db, count) : null;
        ChangeSink sink = stdout != null
                ? stdout
                : batch -> {
                    http.accept(batch);
                    count.accept(batch.size());
                };
        PostgresReplicationSource source = new PostgresReplicationSource(loaded.sourceId(), config);
        MetricsServer metrics = http == null
                ? MetricsServer.start(monitoring, source)
                : MetricsServer.start(monitoring, source, new HttpSinkMetrics(http));
        AtomicBoolean finished = new AtomicBoolean();
        Progress progress = Progress.start(
                monitoring.progressInterval,
                source::stats,
                printed::get,
                config,
                http == null ? null : () -> http.stats().summary());
        Runnable stop = () -> {
            if (finished.compareAndSet(false, true)) {
                if (http != null) {
                    http.close(); // a batch waiting for a down server gives up (it is redelivered on restart)
                }
                source.close(); // waits for the batches being written and their acknowledgement
                if (stdout != null) {
                    stdout.close();
                }
                progress.close();
                if (metrics != null) {
                    metrics.close();
                }
                Stdout.flush();
                SourceStats s = source.stats();
                double secs = (System.nanoTime() - start) / 1e9;
                System.err.printf(
                        Locale.ROOT,
                        "drasi-pg stream: stopped; %,d changes %s in %.1f s (%,.1f/s), last LSN %s,"
                                + " position saved to %s%s%s%n",
                        printed.get(),
                        verb,
                        secs,
                        printed.get() / Math.max(secs, 1e-3),
                        s.lastLsn().isValid() ? s.lastLsn() : "none",
                        source.config()
                                .offsetStoreFile(source.id())
                                .map(Object::toString)
                                .orElse("memory"),
                        stdout != null && stdout.truncatesSkipped() > 0
                                ? "; " + stdout.truncatesSkipped() + " TRUNCATEs not printed (no " + output.format
                                        + " form)"
                                : "",
                        http == null ? "" : "; " + http.stats().summary());
                System.err.flush();
            }
        };
        Thread hook = new Thread(stop, "drasi-pg-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            System.err.println("drasi-pg stream: source " + loaded.sourceId() + " on " + config.host() + ":"
                    + config.port() + "/" + db + ", tables " + config.tables() + ", slot " + config.slotName()
                    + (bootstrap ? ", bootstrap on first start" : "")
                    + (http == null
                            ? ""
                            : ", pushing to " + http.config().url()
                                    + (http.config().bearerToken().isPresent()
                                            ? " (Bearer token from $DRASI_SINK_TOKEN)"
                                            : "")));
            try {
                if (bootstrap) {
                    source.startWithBootstrap(sink, Progress.bootstrapPrinter(System.err));
                } else {
                    source.start(sink);
                }
            } catch (SourceClosedException e) {
                return DrasiPg.OK; // SIGTERM/Ctrl-C during the start: the shutdown hook stops and reports
            }
            System.err.println("drasi-pg stream: streaming"
                    + (maxChanges > 0 ? " until " + maxChanges + " changes " + verb : "") + " (Ctrl-C to stop)");
            // wakes at once when N changes are reached; looks at the source and stdout once a second (no busy loop)
            while (!reached.await(1, TimeUnit.SECONDS)) {
                if (source.state().isTerminal()
                        || (stdout != null && stdout.failure().isPresent())) {
                    break;
                }
            }
            if (stdout != null && stdout.failure().isPresent()) { // e.g. stdout closed while idle
                Throwable f = stdout.failure().get();
                stop.run();
                throw f instanceof Exception e ? e : new RuntimeException(f);
            }
            if (source.failure().isPresent()) {
                Throwable f = SinkOptions.unwrap(source.failure().get());
                stop.run();
                throw f instanceof Exception e ? e : new RuntimeException(f);
            }
            stop.run();
            return DrasiPg.OK;
        } finally {
            stop.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down
            }
        }
    }
}

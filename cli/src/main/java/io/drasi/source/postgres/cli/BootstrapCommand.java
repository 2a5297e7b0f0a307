package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.bootstrap.BootstrapResult;
import io.drasi.source.postgres.http.DrasiHttpSink;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "bootstrap",
        header = "Prints one Insert per existing row (consistent snapshot), then exits.",
        description = {
            "Prints one Insert per existing row of the configured tables, read from one consistent snapshot"
                    + " (a temporary replication slot, dropped at the end), then exits 0.",
            "Needs no publication and does not touch the source's own slot or offsets. Progress (rows done /"
                    + " estimated per table) goes to stderr; the consistent point (LSN) is reported at the end."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  drasi-pg bootstrap --config source.yaml > rows.jsonl",
            "  drasi-pg bootstrap --config source.yaml --labels users,orders --format platform",
            "  drasi-pg bootstrap --config source.yaml --sink http://drasi:8080/sources/pg-source",
            "",
            "Example output (seed format):",
            "  {\"type\":\"Insert\",\"element\":{\"metadata\":{\"element_id\":\"public:order_items:1001:3\","
                    + "\"source_id\":\"pg-source\",\"labels\":[\"order_items\"],\"effective_from\":1764100000000},"
                    + "\"properties\":{\"order_id\":1001,\"line_no\":3,\"qty\":2}}}"
        })
final class BootstrapCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions;

    @Option(
            names = {"-l", "--labels"},
            split = ",",
            paramLabel = "LABEL",
            description = "Only these labels (table names, without schema), comma-separated; default: every"
                    + " configured table.")
    List<String> labels;

    @Mixin
    SinkOptions sinkOptions;

    @Mixin
    OutputOptions output;

    @Mixin
    CommandDefaults defaults;

    @Override
    public Integer call() {
        ConfigOptions.Loaded loaded = configOptions.load();
        Set<String> wanted = labels == null ? Set.of() : new LinkedHashSet<>(labels);
        String db = loaded.config().database();
        AtomicLong rows = new AtomicLong();
        if (sinkOptions.enabled()) {
            return pushToSink(loaded, wanted);
        }
        try (PostgresReplicationSource source = new PostgresReplicationSource(loaded.sourceId(), loaded.config())) {
            System.err.println("drasi-pg bootstrap: " + loaded.config().host() + ":"
                    + loaded.config().port() + "/" + db + ", tables "
                    + loaded.config().tables() + (wanted.isEmpty() ? "" : ", labels " + wanted));
            BootstrapResult result = source.bootstrap(
                    wanted,
                    insert -> {
                        Stdout.change(output.format, insert, 0L, db);
                        if (rows.incrementAndGet() % 1024 == 0) {
                            Stdout.flush();
                        }
                    },
                    Progress.bootstrapPrinter(System.err));
            Stdout.flush();
            double secs = result.elapsed().toNanos() / 1e9;
            System.err.printf(
                    Locale.ROOT,
                    "drasi-pg bootstrap: %,d rows from %d tables in %.2f s (%,.0f rows/s)," + " consistent point %s%n",
                    result.totalRows(),
                    result.tables().size(),
                    secs,
                    result.totalRows() / Math.max(secs, 1e-3),
                    result.consistentPoint());
            for (BootstrapResult.TableResult t : result.tables()) {
                System.err.printf(Locale.ROOT, "  %s: %,d rows%n", t.table(), t.rows());
            }
        }
        return DrasiPg.OK;
    }

    /** {@code --sink}: the same snapshot, posted to the drasi HTTP source in batches. */
    private Integer pushToSink(ConfigOptions.Loaded loaded, Set<String> wanted) {
        try (DrasiHttpSink http = sinkOptions.open();
                PostgresReplicationSource source = new PostgresReplicationSource(loaded.sourceId(), loaded.config())) {
            System.err.println("drasi-pg bootstrap: " + loaded.config().host() + ":"
                    + loaded.config().port() + "/"
                    + loaded.config().database() + ", tables " + loaded.config().tables()
                    + (wanted.isEmpty() ? "" : ", labels " + wanted) + ", pushing to "
                    + http.config().url());
            BootstrapResult result;
            try {
                result = http.pushBootstrap(source, wanted, Progress.bootstrapPrinter(System.err));
            } catch (RuntimeException e) {
                Throwable t = SinkOptions.unwrap(e);
                throw t instanceof RuntimeException r ? r : e;
            }
            double secs = result.elapsed().toNanos() / 1e9;
            System.err.printf(
                    Locale.ROOT,
                    "drasi-pg bootstrap: %,d rows from %d tables posted in %.2f s, consistent" + " point %s; %s%n",
                    result.totalRows(),
                    result.tables().size(),
                    secs,
                    result.consistentPoint(),
                    http.stats().summary());
        }
        return DrasiPg.OK;
    }
}

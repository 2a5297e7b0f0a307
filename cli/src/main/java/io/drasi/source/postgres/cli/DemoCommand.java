package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.model.SourceChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        header = "Throwaway PostgreSQL + sample tables + writer; prints every Drasi change, then a summary.",
        description = {
            "The main job end to end, with nothing to set up: starts a throwaway PostgreSQL, creates three sample"
                    + " tables (customers with a serial key, order_items with a composite key (order_id, line_no),"
                    + " events partitioned by region with a default partition, captured through its root),"
                    + " fills them, bootstraps them (one Insert per row), then runs a writer that inserts, updates"
                    + " and deletes rows for the given duration and prints every Drasi change (seed JSON) to"
                    + " stdout. Ends with a summary on stderr: changes by kind, changes/s, p50/p99 latency from"
                    + " commit to sink.",
            "PostgreSQL comes from, in this order: DRASI_PG_URL (a database drasi_demo_<pid> is created there"
                    + " and dropped at the end); a postgres:16-alpine container when a Docker engine answers;"
                    + " local server binaries (DRASI_PG_BIN, /usr/lib/postgresql/*/bin, pg_config), run as the"
                    + " postgres OS user when root. Everything it started (server, temp dir) is removed at the"
                    + " end, also on Ctrl-C."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  drasi-pg demo",
            "  drasi-pg demo --duration 10s --rows 1000 > changes.jsonl",
            "",
            "Example output:",
            "  {\"type\":\"Insert\",\"element\":{\"metadata\":{\"element_id\":\"public:order_items:7:2\","
                    + "\"source_id\":\"demo\","
                    + "\"labels\":[\"order_items\"],\"effective_from\":1764100000000},\"properties\":{\"order_id\":7,"
                    + "\"line_no\":2,\"sku\":\"SKU-042\",\"qty\":3,\"price\":19.99}}}",
            "  {\"type\":\"Delete\",\"metadata\":{\"element_id\":\"public:customers:12\",\"source_id\":\"demo\","
                    + "\"labels\":[\"customers\"],\"effective_from\":1764100000123}}",
            "  (stderr) drasi-pg demo: summary: 412 changes streamed (Insert 171, Update 160, Delete 81) + 40 bootstrap"
                    + " rows; 41.2 changes/s; latency commit→sink p50 9 ms, p99 21 ms"
        })
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = {"-d", "--duration"},
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "How long the writer runs (default: ${DEFAULT-VALUE}); e.g. 500ms, 10s, 2m.")
    Duration duration;

    @Option(
            names = {"-r", "--rows"},
            paramLabel = "N",
            defaultValue = "20",
            description = "Rows put in each sample table before the bootstrap (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(
            names = "--rate",
            paramLabel = "TX_PER_S",
            defaultValue = "20",
            description = "Writer transactions per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Mixin
    MonitoringOptions monitoring;

    @Mixin
    CommandDefaults defaults;

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicLong bootstrapRows = new AtomicLong();
    private final AtomicLong inserts = new AtomicLong();
    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong deletes = new AtomicLong();
    private final AtomicLong printed = new AtomicLong();
    private final Object latencyLock = new Object();
    private long[] latencies = new long[1024];
    private int latencyCount;

    @Override
    public Integer call() throws Exception {
        if (rows < 0 || rate <= 0 || duration.isNegative()) {
            throw new DrasiPg.UsageError("--rows must be >= 0, --rate > 0 and --duration >= 0");
        }
        long t0 = System.nanoTime();
        DemoServer server;
        try {
            server = DemoServer.obtain(System.getenv());
        } catch (DemoServer.Unavailable e) {
            System.err.println("drasi-pg demo: " + e.getMessage());
            return DrasiPg.FAILED;
        }
        PostgresReplicationSource[] sourceRef = new PostgresReplicationSource[1];
        Progress[] progressRef = new Progress[1];
        MetricsServer[] metricsRef = new MetricsServer[1];
        AtomicBoolean cleaned = new AtomicBoolean();
        Runnable cleanup = () -> {
            if (cleaned.compareAndSet(false, true)) {
                stopping.set(true);
                if (progressRef[0] != null) {
                    progressRef[0].close();
                }
                if (sourceRef[0] != null) {
                    sourceRef[0].close();
                }
                if (metricsRef[0] != null) {
                    metricsRef[0].close();
                }
                Stdout.flush();
                server.close();
                System.err.println("drasi-pg demo: removed everything it started (" + server.origin + ")");
            }
        };
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread hook = new Thread(
                () -> {
                    if (!cleaned.get()) {
                        interrupted.set(true);
                        stopping.set(true);
                        System.err.println("\ndrasi-pg demo: interrupted, cleaning up ...");
                        printSummary(0);
                    }
                    cleanup.run();
                },
                "drasi-pg-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            System.err.printf(
                    Locale.ROOT,
                    "drasi-pg demo: PostgreSQL ready in %.1f s: %s%n",
                    (System.nanoTime() - t0) / 1e9,
                    server.origin);
            createSampleData(server);
            PostgresSourceConfig config = PostgresSourceConfig.builder()
                    .withHost(server.host)
                    .withPort(server.port)
                    .withDatabase(server.database)
                    .withUser(server.user)
                    .withPassword(server.password)
                    .withTables("customers", "order_items", "events")
                    .withSlotName("drasi_demo_" + ProcessHandle.current().pid())
                    .withPublicationName("drasi_demo")
                    .withInMemoryOffsets()
                    .build();
            PostgresReplicationSource source = new PostgresReplicationSource("demo", config);
            sourceRef[0] = source;
            metricsRef[0] = MetricsServer.start(monitoring, source);
            progressRef[0] = Progress.start(monitoring.progressInterval, source::stats, printed::get, config);
            System.err.println("drasi-pg demo: bootstrapping " + rows + " rows per table, then streaming;"
                    + " changes follow on stdout (seed JSON)");
            source.startWithBootstrap(this::accept, Progress.bootstrapPrinter(System.err));
            if (!source.awaitState(io.drasi.source.postgres.State.RUNNING, Duration.ofSeconds(60))) {
                throw source.failure()
                        .<RuntimeException>map(f -> f)
                        .orElse(new IllegalStateException("the source did not start streaming within 60 s"));
            }
            System.err.printf(
                    Locale.ROOT,
                    "drasi-pg demo: streaming after %.1f s; writer runs for %s at ~%d tx/s%n",
                    (System.nanoTime() - t0) / 1e9,
                    human(duration),
                    rate);
            long streamStart = System.nanoTime();
            long expected = runWriter(server, source);
            // let the last changes arrive
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (streamedCount() < expected
                    && System.nanoTime() < deadline
                    && !source.state().isTerminal()) {
                Thread.sleep(20);
            }
            double secs = (System.nanoTime() - streamStart) / 1e9;
            if (source.failure().isPresent()) {
                throw source.failure().get();
            }
            Stdout.flush();
            if (interrupted.get()) {
                return DrasiPg.FAILED; // the shutdown hook reports and cleans up
            }
            printSummary(secs);
            if (streamedCount() < expected) {
                System.err.println("drasi-pg demo: WARNING only " + streamedCount() + " of " + expected
                        + " written changes arrived within 15 s");
            }
            return DrasiPg.OK;
        } finally {
            cleanup.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down
            }
        }
    }

    private long streamedCount() {
        return inserts.get() + updates.get() + deletes.get();
    }

    private void accept(List<PositionedChange> batch) {
        long now = System.currentTimeMillis();
        for (PositionedChange pc : batch) {
            SourceChange c = pc.change();
            Stdout.change(OutputFormat.seed, c, pc.position().lsn().asLong(), "");
            if (pc.position().isBootstrap()) {
                bootstrapRows.incrementAndGet();
                continue;
            }
            c.fold(
                    i -> inserts.incrementAndGet(),
                    u -> updates.incrementAndGet(),
                    d -> deletes.incrementAndGet(),
                    t -> 0L,
                    r -> 0L); // the demo counts row changes; relations (if enabled) are extra elements
            synchronized (latencyLock) {
                if (latencyCount == latencies.length) {
                    latencies = Arrays.copyOf(latencies, latencies.length * 2);
                }
                latencies[latencyCount++] = Math.max(0, now - c.effectiveFromMs());
            }
        }
        Stdout.flush();
        printed.addAndGet(batch.size());
    }

    private void printSummary(double streamSeconds) {
        long[] sorted;
        synchronized (latencyLock) {
            sorted = Arrays.copyOf(latencies, latencyCount);
        }
        Arrays.sort(sorted);
        long streamed = streamedCount();
        String lat = sorted.length == 0
                ? "no streamed change"
                : String.format(
                        Locale.ROOT,
                        "p50 %d ms, p99 %d ms, max %d ms",
                        pct(sorted, 0.50),
                        pct(sorted, 0.99),
                        sorted[sorted.length - 1]);
        System.err.printf(
                Locale.ROOT,
                "drasi-pg demo: summary: %,d changes streamed (Insert %,d, Update %,d, Delete %,d)"
                        + " + %,d bootstrap rows%s; latency commit→sink %s%n",
                streamed,
                inserts.get(),
                updates.get(),
                deletes.get(),
                bootstrapRows.get(),
                streamSeconds > 0
                        ? String.format(
                                Locale.ROOT, "; %,.1f changes/s over %.1f s", streamed / streamSeconds, streamSeconds)
                        : "",
                lat);
    }

    private static long pct(long[] sorted, double p) {
        int idx = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private void createSampleData(DemoServer server) throws SQLException {
        try (Connection c = server.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, tier text,"
                    + " balance numeric(12,2), updated_at timestamptz NOT NULL DEFAULT now())");
            st.execute("CREATE TABLE order_items (order_id int, line_no int, sku text NOT NULL, qty int NOT NULL,"
                    + " price numeric(10,2), PRIMARY KEY (order_id, line_no))");
            if (rows > 0) {
                st.execute("INSERT INTO customers (name, email, tier, balance) SELECT 'customer ' || g,"
                        + " 'c' || g || '@example.com', (array['bronze','silver','gold'])[1 + g % 3], g * 10.5"
                        + " FROM generate_series(1, " + rows + ") g");
                st.execute("INSERT INTO order_items SELECT 1 + (g - 1) / 3, 1 + (g - 1) % 3, 'SKU-' || lpad((g % "
                        + "97)::text, 3, '0'),"
                        + " 1 + g % 5, 9.99 + g % 50 FROM generate_series(1, " + rows + ") g");
            }
            // partitioned: changes of every partition arrive with the root's label and ids (publish_via_partition_root)
            st.execute("CREATE TABLE events (id int, region text, kind text NOT NULL, PRIMARY KEY (id, region))"
                    + " PARTITION BY LIST (region)");
            st.execute("CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu')");
            st.execute("CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us')");
            st.execute("CREATE TABLE events_other PARTITION OF events DEFAULT");
            if (rows > 0) {
                st.execute("INSERT INTO events SELECT g, (array['eu','us','apac'])[1 + g % 3], 'signup'"
                        + " FROM generate_series(1, " + rows + ") g");
            }
        }
    }

    /** Runs inserts/updates/deletes on the sample tables for the duration; returns how many changes it made. */
    private long runWriter(DemoServer server, PostgresReplicationSource source)
            throws SQLException, InterruptedException {
        Random rnd = new Random(42);
        List<Integer> customers = new ArrayList<>();
        for (int i = 1; i <= rows; i++) {
            customers.add(i);
        }
        List<int[]> items = new ArrayList<>();
        for (int g = 1; g <= rows; g++) {
            items.add(new int[] {1 + (g - 1) / 3, 1 + (g - 1) % 3});
        }
        int nextOrder = rows / 3 + 2;
        List<String[]> events = new ArrayList<>();
        for (int g = 1; g <= rows; g++) {
            events.add(new String[] {
                Integer.toString(g), List.of("eu", "us", "apac").get(g % 3)
            });
        }
        int nextEvent = rows + 1;
        long changes = 0;
        long periodNanos = 1_000_000_000L / rate;
        long end = System.nanoTime() + duration.toNanos();
        long next = System.nanoTime();
        try (Connection c = server.connect()) {
            c.setAutoCommit(false);
            while (System.nanoTime() < end && !stopping.get() && !source.state().isTerminal()) {
                int op = rnd.nextInt(110);
                if (op >= 100) {
                    String[] moved = events.isEmpty() || op < 106 ? null : events.get(rnd.nextInt(events.size()));
                    String region = List.of("eu", "us", "apac").get(rnd.nextInt(3));
                    if (moved == null) {
                        try (PreparedStatement ps = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?)")) {
                            ps.setInt(1, nextEvent);
                            ps.setString(2, region);
                            ps.setString(
                                    3, List.of("login", "purchase", "logout").get(rnd.nextInt(3)));
                            changes += ps.executeUpdate();
                        }
                        events.add(new String[] {Integer.toString(nextEvent++), region});
                    } else if (!region.equals(moved[1])) {
                        // moves the row to another partition: region is part of the key, so Delete + Insert
                        try (PreparedStatement ps = c.prepareStatement(
                                "UPDATE events SET region = ?, kind = 'moved' WHERE id = ? AND region = ?")) {
                            ps.setString(1, region);
                            ps.setInt(2, Integer.parseInt(moved[0]));
                            ps.setString(3, moved[1]);
                            changes += 2L * ps.executeUpdate();
                        }
                        moved[1] = region;
                    }
                } else if (op < 25 || customers.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO customers (name, email, tier, balance) VALUES (?, ?, 'bronze', 0) RETURNING "
                                    + "id")) {
                        String n = "customer " + (1000 + rnd.nextInt(9000));
                        ps.setString(1, n);
                        ps.setString(2, n.replace(' ', '.') + "@example.com");
                        try (var rs = ps.executeQuery()) {
                            rs.next();
                            customers.add(rs.getInt(1));
                        }
                    }
                    changes++;
                } else if (op < 50) {
                    int id = customers.get(rnd.nextInt(customers.size()));
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE customers SET balance = balance + ?, tier = ?, updated_at = now() WHERE id = ?")) {
                        ps.setBigDecimal(1, java.math.BigDecimal.valueOf(rnd.nextInt(10000), 2));
                        ps.setString(2, List.of("bronze", "silver", "gold").get(rnd.nextInt(3)));
                        ps.setInt(3, id);
                        changes += ps.executeUpdate();
                    }
                } else if (op < 60) {
                    int id = customers.remove(rnd.nextInt(customers.size()));
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM customers WHERE id = ?")) {
                        ps.setInt(1, id);
                        changes += ps.executeUpdate();
                    }
                } else if (op < 80) {
                    // a new order with 1-3 lines, in one transaction
                    int order = nextOrder++;
                    int lines = 1 + rnd.nextInt(3);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO order_items VALUES (?, ?, ?, ?, ?)")) {
                        for (int l = 1; l <= lines; l++) {
                            ps.setInt(1, order);
                            ps.setInt(2, l);
                            ps.setString(3, String.format(Locale.ROOT, "SKU-%03d", rnd.nextInt(100)));
                            ps.setInt(4, 1 + rnd.nextInt(5));
                            ps.setBigDecimal(5, java.math.BigDecimal.valueOf(99 + rnd.nextInt(9900), 2));
                            ps.addBatch();
                            items.add(new int[] {order, l});
                        }
                        ps.executeBatch();
                    }
                    changes += lines;
                } else if (op < 93 && !items.isEmpty()) {
                    int[] k = items.get(rnd.nextInt(items.size()));
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE order_items SET qty = qty + 1 WHERE order_id = ? AND line_no = ?")) {
                        ps.setInt(1, k[0]);
                        ps.setInt(2, k[1]);
                        changes += ps.executeUpdate();
                    }
                } else if (!items.isEmpty()) {
                    int[] k = items.remove(rnd.nextInt(items.size()));
                    try (PreparedStatement ps =
                            c.prepareStatement("DELETE FROM order_items WHERE order_id = ? AND line_no = ?")) {
                        ps.setInt(1, k[0]);
                        ps.setInt(2, k[1]);
                        changes += ps.executeUpdate();
                    }
                }
                c.commit();
                next += periodNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
        }
        return changes;
    }
}

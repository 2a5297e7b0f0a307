package io.drasi.source.postgres.bench;

import io.drasi.source.postgres.local.LocalPostgres;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark driver behind {@code bench/run}: starts a throwaway PostgreSQL ({@link LocalPostgres}),
 * runs every scenario in its own child JVM ({@code -Xmx512m}) against the same server in one run, prints
 * every measurement with the load average, then a summary, and as its last line
 * {@code ratio_vs_raw_debezium=<median of (a)/(b)>}. Stops the server at the end.
 *
 * <p>Options: {@code --quick} (100k changes, 500k bootstrap rows, 200 tx/s) or full (1M, 5M, 1000 tx/s);
 * {@code --changes N}, {@code --bootstrap-rows N}, {@code --reps N} (default 3), {@code --rate N},
 * {@code --profile} (one more adapter run under JFR, top frames printed), {@code --only stream|cli|latency|bootstrap},
 * {@code --cli-changes N} (the {@link CliThroughput} backlog: 500k, quick 100k). The line before the last is
 * {@code ratio_vs_debezium_defaults=<median of drasi-pg stream / Debezium with its defaults, whole processes>}.
 *
 * <p>Streaming: one slot per consumer run is created BEFORE the writes, then the changes are written
 * (the writer is not measured), then each consumer drains its own slot: identical WAL for all.
 */
public final class BenchRun {

    static final String STREAM_TABLE = "bench_stream";
    static final String STREAM_PUB = "bench_pub";
    static final String COLUMNS = "(id bigint PRIMARY KEY, i int, b bigint, n numeric(12,2), t text, v varchar(40),"
            + " ts timestamptz, flag bool, f float8, u uuid)";
    static final String ROW = "k, k % 100000, k * 7, (k % 100000) / 7.0, 'text value ' || k, md5(k::text),"
            + " timestamptz '2024-01-01' + k * interval '1 s', k % 2 = 0, k / 3.0, md5(k::text)::uuid";
    static final List<String> VARIANTS =
            List.of("adapter", "debezium_connect", "debezium_json", "pg_recvlogical", "adapter_seedjson");

    private final Map<String, String> opts;
    private final boolean quick;
    private final int reps;
    private final Path outDir;
    private LocalPostgres pg;
    private BenchSupport.Db db;
    private final Map<String, List<Map<String, String>>> stream = new LinkedHashMap<>();
    private final List<Map<String, String>> latency = new ArrayList<>();
    private final List<Map<String, String>> bootstrap = new ArrayList<>();
    private final List<String> memory = new ArrayList<>();
    private CliThroughput cli;

    private BenchRun(Map<String, String> opts) {
        this.opts = opts;
        this.quick = opts.containsKey("quick");
        this.reps = Integer.parseInt(opts.getOrDefault("reps", "3"));
        this.outDir = Path.of(opts.getOrDefault("out", "bench/target/bench-out"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            String k = a.substring(2);
            if (k.equals("quick") || k.equals("profile")) {
                opts.put(k, "true");
            } else {
                opts.put(k, args[++i]);
            }
        }
        new BenchRun(opts).run();
    }

    private long changes() {
        return Long.parseLong(opts.getOrDefault("changes", quick ? "50000" : "1000000"));
    }

    private void run() throws Exception {
        Files.createDirectories(outDir);
        long started = System.nanoTime();
        List<String> tried = new ArrayList<>();
        Path bin = LocalPostgres.findBinDir(System.getenv(), tried)
                .orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries: " + tried));
        pg = LocalPostgres.builder(bin)
                .setting("max_replication_slots", "64")
                .setting("max_wal_senders", "20")
                .setting("max_wal_size", "4GB")
                .tempDirPrefix("drasi-bench-")
                .start();
        try {
            try (Connection c =
                            DriverManager.getConnection(pg.jdbcUrl(pg.defaultDatabase()), pg.user(), pg.password());
                    Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE bench");
            }
            db = new BenchSupport.Db(pg.host(), pg.port(), "bench", pg.user(), pg.password());
            header();
            String only = opts.getOrDefault("only", "");
            if (only.isEmpty() || only.equals("stream")) {
                streaming();
            }
            if (only.isEmpty() || only.equals("cli")) {
                cli = new CliThroughput(
                        this,
                        db,
                        outDir,
                        opts.getOrDefault("xmx", "512m"),
                        Long.parseLong(opts.getOrDefault("cli-changes", quick ? "100000" : "500000")),
                        reps);
                cli.run();
            }
            if (only.isEmpty() || only.equals("latency")) {
                latency();
            }
            if (only.isEmpty() || only.equals("bootstrap")) {
                bootstrap();
            }
            summary((System.nanoTime() - started) / 1e9);
        } finally {
            pg.close();
        }
    }

    private void header() throws Exception {
        String pgVersion = query("SHOW server_version");
        long memMb = BenchSupport.procStatusKb(Path.of("/proc/meminfo"), "MemTotal:") / 1024;
        String debezium = io.debezium.connector.postgresql.Module.version();
        System.out.printf(
                Locale.ROOT,
                "machine nproc=%d mem_mb=%d load=%s%n",
                Runtime.getRuntime().availableProcessors(),
                memMb,
                Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf(
                Locale.ROOT,
                "versions jdk=%s (%s) postgresql=%s debezium=%s%n",
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                pgVersion,
                debezium);
        System.out.printf(Locale.ROOT, "mode=%s changes=%d reps=%d%n", quick ? "quick" : "full", changes(), reps);
    }

    // ---------------------------------------------------------------- streaming throughput

    private void streaming() throws Exception {
        long n = changes();
        exec(
                "CREATE TABLE " + STREAM_TABLE + " " + COLUMNS,
                "CREATE PUBLICATION " + STREAM_PUB + " FOR TABLE " + STREAM_TABLE);
        List<String> slots = new ArrayList<>();
        for (int r = 1; r <= reps; r++) {
            for (String v : variants(r)) {
                slots.add(slotName(v, r));
            }
        }
        if (opts.containsKey("profile")) {
            slots.add(slotName("profile", 0));
        }
        for (String s : slots) {
            query("SELECT lsn FROM pg_create_logical_replication_slot('" + s + "', 'pgoutput')");
        }
        long w = System.nanoTime();
        write(STREAM_TABLE, n);
        String endLsn = query("SELECT pg_current_wal_lsn()");
        System.out.printf(
                Locale.ROOT,
                "workload changes=%d written_s=%.1f wal_mb=%s end_lsn=%s%n",
                n,
                (System.nanoTime() - w) / 1e9,
                query("SELECT round((pg_current_wal_lsn() - min(restart_lsn)) / 1048576)"
                        + " FROM pg_replication_slots"),
                endLsn);
        for (int r = 1; r <= reps; r++) {
            List<String> vs = variants(r);
            for (int i = 0; i < vs.size(); i++) {
                String v = vs.get((i + r - 1) % vs.size()); // rotate the order per repetition
                Map<String, String> res = v.equals("pg_recvlogical")
                        ? recvlogical(slotName(v, r), endLsn, n)
                        : child(
                                        List.of(),
                                        StreamBench.class,
                                        v,
                                        db,
                                        STREAM_TABLE,
                                        slotName(v, r),
                                        STREAM_PUB,
                                        Long.toString(n))
                                .stream()
                                .filter(m -> "result".equals(m.get("_")))
                                .findFirst()
                                .orElseThrow(() -> new IllegalStateException(v + " printed no result"));
                res.put("load1", BenchSupport.fmt(BenchSupport.load1()));
                res.put("rep", Integer.toString(r));
                stream.computeIfAbsent(v, k -> new ArrayList<>()).add(res);
                System.out.println("stream " + line(res));
                dropSlot(slotName(v, r));
            }
        }
        if (opts.containsKey("profile")) {
            profile(n);
        }
    }

    /**
     * The consumers of repetition {@code r}: all of them, except that {@code --quick} runs the slow JSON baseline
     * and the seed-JSON variant only in the first repetition ({@code --secondary-reps}) to stay under 2 minutes.
     */
    private List<String> variants(int r) {
        int secondary = Integer.parseInt(opts.getOrDefault("secondary-reps", quick ? "1" : Integer.toString(reps)));
        return r <= secondary ? VARIANTS : List.of("adapter", "debezium_connect", "pg_recvlogical");
    }

    private static String slotName(String variant, int rep) {
        return ("bench_" + variant + "_" + rep).toLowerCase(Locale.ROOT);
    }

    /** Half the changes to {@code table} in transactions of {@code n/100} rows, half in single-row transactions. */
    void write(String table, long n) throws Exception {
        long tx = Math.max(1, n / 100);
        long insLarge = n * 30 / 100;
        long insSingle = n * 20 / 100;
        long updLarge = n * 15 / 100;
        long updSingle = n * 15 / 100;
        long delLarge = n * 5 / 100;
        long delSingle = n - insLarge - insSingle - updLarge - updSingle - delLarge;
        String loop = "CREATE PROCEDURE %s(a bigint, z bigint) LANGUAGE plpgsql AS $$ BEGIN"
                + " FOR k IN a..z LOOP %s; COMMIT; END LOOP; END $$";
        exec(
                String.format(loop, table + "_single_insert", "INSERT INTO " + table + " VALUES (" + ROW + ")"),
                String.format(
                        loop,
                        table + "_single_update",
                        "UPDATE " + table + " SET i = i + 1, t = t || 'u', ts = now(), f = f + 1 WHERE id = k"),
                String.format(loop, table + "_single_delete", "DELETE FROM " + table + " WHERE id = k"));
        List<String> sql = new ArrayList<>();
        for (long a = 1; a <= insLarge; a += tx) {
            sql.add("INSERT INTO " + table + " SELECT " + ROW + " FROM generate_series(" + a + ", "
                    + Math.min(insLarge, a + tx - 1) + ") k");
        }
        sql.add("CALL " + table + "_single_insert(" + (insLarge + 1) + ", " + (insLarge + insSingle) + ")");
        for (long a = 1; a <= updLarge; a += tx) {
            sql.add("UPDATE " + table + " SET i = i + 1, t = t || 'u', ts = now(), f = f + 1 WHERE id BETWEEN " + a
                    + " AND " + Math.min(updLarge, a + tx - 1));
        }
        sql.add("CALL " + table + "_single_update(" + (insLarge + 1) + ", " + (insLarge + updSingle) + ")");
        for (long a = updLarge + 1; a <= updLarge + delLarge; a += tx) {
            sql.add("DELETE FROM " + table + " WHERE id BETWEEN " + a + " AND "
                    + Math.min(updLarge + delLarge, a + tx - 1));
        }
        long d0 = updLarge + delLarge + 1;
        sql.add("CALL " + table + "_single_delete(" + d0 + ", " + (d0 + delSingle - 1) + ")");
        exec(sql.toArray(String[]::new));
        long rows = Long.parseLong(query("SELECT count(*) FROM " + table));
        if (rows != insLarge + insSingle - delLarge - delSingle) {
            throw new IllegalStateException(
                    "workload left " + rows + " rows, expected " + (insLarge + insSingle - delLarge - delSingle));
        }
    }

    private Map<String, String> recvlogical(String slot, String endLsn, long n) throws Exception {
        Path rss = outDir.resolve("recvlogical-rss.txt");
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/time"))) {
            cmd.addAll(List.of("/usr/bin/time", "-f", "%M", "-o", rss.toString()));
        }
        cmd.addAll(List.of(
                pg.binDir().resolve("pg_recvlogical").toString(),
                "-h",
                db.host(),
                "-p",
                Integer.toString(db.port()),
                "-U",
                db.user(),
                "-d",
                db.database(),
                "--slot",
                slot,
                "--start",
                "--no-loop",
                "--endpos",
                endLsn,
                "-o",
                "proto_version=1",
                "-o",
                "publication_names=" + STREAM_PUB,
                "-f",
                "/dev/null"));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(outDir.resolve("recvlogical.log").toFile());
        pb.environment().put("PGPASSWORD", db.password());
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "pg_recvlogical failed: " + Files.readString(outDir.resolve("recvlogical.log")));
        }
        double s = (System.nanoTime() - t0) / 1e9;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("variant", "pg_recvlogical");
        m.put("changes", Long.toString(n));
        m.put("seconds", String.format(Locale.ROOT, "%.3f", s));
        m.put("rate", String.format(Locale.ROOT, "%.0f", n / s));
        if (Files.exists(rss)) {
            m.put(
                    "rss_mb",
                    Long.toString(Long.parseLong(Files.readString(rss).trim().replaceAll("(?s).*\\n", "")) / 1024));
        }
        return m;
    }

    private void profile(long n) throws Exception {
        Path jfr = outDir.resolve("adapter.jfr").toAbsolutePath();
        Map<String, String> res = child(
                        List.of("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile"),
                        StreamBench.class,
                        "adapter",
                        db,
                        STREAM_TABLE,
                        slotName("profile", 0),
                        STREAM_PUB,
                        Long.toString(n))
                .stream()
                .filter(m -> "result".equals(m.get("_")))
                .findFirst()
                .orElseThrow();
        System.out.println("profile (adapter under JFR, not counted) " + line(res) + " jfr=" + jfr);
        JfrTop.main(new String[] {jfr.toString()});
    }

    // ---------------------------------------------------------------- latency

    private void latency() throws Exception {
        int rate = Integer.parseInt(opts.getOrDefault("rate", quick ? "200" : "1000"));
        int seconds = quick ? 8 : 20;
        int idle = quick ? 15 : 50;
        exec("CREATE TABLE bench_latency " + COLUMNS);
        int runs = quick ? 1 : reps;
        for (int r = 1; r <= runs; r++) {
            exec("TRUNCATE bench_latency");
            List<Map<String, String>> out = child(
                    List.of(),
                    LatencyBench.class,
                    db,
                    "bench_latency",
                    "bench_latency_" + r,
                    "bench_latency_pub",
                    Integer.toString(rate),
                    Integer.toString(seconds),
                    Integer.toString(idle));
            for (Map<String, String> m : out) {
                m.put("run", Integer.toString(r));
                m.put("load1", BenchSupport.fmt(BenchSupport.load1()));
                if (!"memory".equals(m.get("_"))) {
                    latency.add(m);
                }
                System.out.println(line(m));
            }
            dropSlot("bench_latency_" + r);
        }
    }

    // ---------------------------------------------------------------- bootstrap

    private void bootstrap() throws Exception {
        long rows = Long.parseLong(opts.getOrDefault("bootstrap-rows", quick ? "500000" : "5000000"));
        long t = System.nanoTime();
        exec(
                "CREATE TABLE bench_boot " + COLUMNS,
                "INSERT INTO bench_boot SELECT " + ROW + " FROM generate_series(1, " + rows + ") k",
                "VACUUM ANALYZE bench_boot");
        System.out.printf(
                Locale.ROOT,
                "bootstrap_table rows=%d load_s=%.1f size_mb=%s%n",
                rows,
                (System.nanoTime() - t) / 1e9,
                query("SELECT pg_total_relation_size('bench_boot') / 1048576"));
        for (Map<String, String> m : child(List.of(), BootstrapBench.class, db, "bench_boot", Integer.toString(reps))) {
            if ("bootstrap".equals(m.get("_")) && !"warmup".equals(m.get("round"))) {
                bootstrap.add(m);
            }
            System.out.println(line(m));
        }
    }

    // ---------------------------------------------------------------- summary

    private void summary(double totalSeconds) {
        System.out.println();
        System.out.println("== summary (" + (quick ? "quick" : "full") + ", " + Math.round(totalSeconds) + " s)");
        double ratioB = Double.NaN;
        if (!stream.isEmpty()) {
            System.out.println("streaming changes/s, median [min..max] over repetitions (rss MB median):");
            for (String v : VARIANTS) {
                List<Map<String, String>> rs = stream.getOrDefault(v, List.of());
                double[] rates = rs.stream()
                        .mapToDouble(m -> Double.parseDouble(m.get("rate")))
                        .toArray();
                double[] rss = rs.stream()
                        .filter(m -> m.containsKey("rss_mb"))
                        .mapToDouble(m -> Double.parseDouble(m.get("rss_mb")))
                        .toArray();
                double[] first = rs.stream()
                        .filter(m -> m.containsKey("first_change_ms"))
                        .mapToDouble(m -> Double.parseDouble(m.get("first_change_ms")))
                        .toArray();
                System.out.printf(
                        Locale.ROOT,
                        "  %-18s n=%d %s  rss_mb=%s first_change_ms=%s%n",
                        v,
                        rates.length,
                        spread(rates),
                        BenchSupport.fmt(BenchSupport.median(rss)),
                        BenchSupport.fmt(BenchSupport.median(first)));
            }
            System.out.println("ratios per repetition (same run, same WAL), median [min..max]:");
            ratioB = ratio("adapter", "debezium_connect", "(a)/(b) adapter / raw Debezium Connect  (goal >= 0.9)");
            ratio("adapter", "debezium_json", "(a)/(c) adapter / Debezium JSON + Jackson (goal >= 1.4)");
            ratio("adapter", "pg_recvlogical", "(a)/(d) adapter / pg_recvlogical");
            ratio("adapter_seedjson", "debezium_connect", "(a+json)/(b) adapter + seed JSON / raw Debezium");
            ratio("adapter_seedjson", "debezium_json", "(a+json)/(c) adapter + seed JSON / Debezium JSON");
            ratio("debezium_connect", "pg_recvlogical", "(b)/(d) raw Debezium / pg_recvlogical");
        }
        if (!latency.isEmpty()) {
            System.out.println("latency commit->sink ms (per run):");
            latency.forEach(m -> System.out.println("  " + line(m)));
        }
        if (!bootstrap.isEmpty()) {
            double[] ratios = bootstrap.stream()
                    .mapToDouble(m -> Double.parseDouble(m.get("ratio")))
                    .toArray();
            double[] copy = bootstrap.stream()
                    .mapToDouble(m -> Double.parseDouble(m.get("copy_rows_per_s")))
                    .toArray();
            double[] ad = bootstrap.stream()
                    .mapToDouble(m -> Double.parseDouble(m.get("adapter_rows_per_s")))
                    .toArray();
            System.out.println("bootstrap rows/s: COPY drained " + spread(copy) + ", adapter " + spread(ad));
            System.out.println("  bootstrap adapter / COPY (goal >= 0.7): " + spread(ratios));
        }
        memory.forEach(m -> System.out.println("  " + m));
        double ratioDefaults = cli == null ? Double.NaN : cli.summary();
        System.out.println("ratio_vs_debezium_defaults="
                + (Double.isNaN(ratioDefaults) ? "NaN" : String.format(Locale.ROOT, "%.3f", ratioDefaults)));
        System.out.println(
                "ratio_vs_raw_debezium=" + (Double.isNaN(ratioB) ? "NaN" : String.format(Locale.ROOT, "%.3f", ratioB)));
    }

    private double ratio(String a, String b, String title) {
        List<Map<String, String>> as = stream.getOrDefault(a, List.of());
        List<Map<String, String>> bs = stream.getOrDefault(b, List.of());
        List<Double> pairs = new ArrayList<>();
        for (Map<String, String> x : as) {
            for (Map<String, String> y : bs) {
                if (x.get("rep").equals(y.get("rep"))) {
                    pairs.add(Double.parseDouble(x.get("rate")) / Double.parseDouble(y.get("rate")));
                }
            }
        }
        double[] r = pairs.stream().mapToDouble(Double::doubleValue).toArray();
        System.out.printf(Locale.ROOT, "  %-58s %s%n", title, spread(r));
        return BenchSupport.median(r);
    }

    static String spread(double[] v) {
        if (v.length == 0) {
            return "n/a";
        }
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return BenchSupport.fmt(BenchSupport.median(v)) + " [" + BenchSupport.fmt(min) + ".." + BenchSupport.fmt(max)
                + "]";
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs a benchmark main in a child JVM (-Xmx512m) and returns its {@code key=value} lines. */
    private List<Map<String, String>> child(List<String> jvmArgs, Class<?> main, Object... args) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx" + opts.getOrDefault("xmx", "512m"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.logFile=System.err"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        for (Object a : args) {
            if (a instanceof BenchSupport.Db d) {
                cmd.addAll(d.args());
            } else {
                cmd.add(a.toString());
            }
        }
        Path log = outDir.resolve(main.getSimpleName() + ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        List<Map<String, String>> out = new ArrayList<>();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean exited = p.waitFor(15, TimeUnit.MINUTES);
        if (!exited || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    main.getSimpleName() + " " + List.of(args).subList(0, 1) + " failed (exit "
                            + (exited ? p.exitValue() : "timeout") + "):\n" + text + "\nsee " + log);
        }
        for (String l : text.split("\n")) {
            if (l.isBlank()) {
                continue;
            }
            String[] parts = l.trim().split("\\s+");
            Map<String, String> m = new LinkedHashMap<>();
            m.put("_", parts[0]);
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq > 0) {
                    m.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
                }
            }
            if ("memory".equals(parts[0])) {
                memory.add(main.getSimpleName() + ": " + l.trim());
            }
            out.add(m);
        }
        return out;
    }

    static String line(Map<String, String> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k.equals("_") ? v : k + "=" + v).append(' '));
        return sb.toString().trim();
    }

    private Connection open() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", db.user());
        p.setProperty("password", db.password());
        p.setProperty("preferQueryMode", "simple"); // CALL with COMMIT inside the procedure
        return DriverManager.getConnection(db.jdbcUrl(), p);
    }

    void exec(String... sql) throws Exception {
        try (Connection c = open();
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    String query(String sql) throws Exception {
        try (Connection c = open();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    void dropSlot(String slot) throws Exception {
        for (int i = 0; ; i++) {
            try {
                exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot
                        + "'");
                return;
            } catch (java.sql.SQLException e) {
                if (i >= 50) {
                    throw e;
                }
                Thread.sleep(100); // the walsender of the finished consumer is still exiting
            }
        }
    }
}

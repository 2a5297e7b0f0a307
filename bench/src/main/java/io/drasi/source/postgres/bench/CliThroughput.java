package io.drasi.source.postgres.bench;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Scenario {@code cli} of {@link BenchRun}: the {@code drasi-pg stream --format seed} process against the Debezium
 * embedded engine started with <b>Debezium's own defaults</b> ({@link DebeziumDefaultsMain}), each draining the
 * same backlog from its own slot, each <b>whole process timed</b> (JVM start to exit), alternating within one run.
 *
 * <p>The CLI runs as a user runs it: {@code stream --config FILE --format seed --max-changes N --offsets FILE}
 * (its defaults otherwise: file offset store written after every batch, progress line every 5 s); it exits 0 only
 * once N lines were written. Every child's stdout goes to {@code /dev/null} (the encoding and the write calls are
 * measured, no disk), stderr to {@code cli-<variant>.log}; all get the same {@code -Xmx}. Slots are created before the
 * writes, so both decode
 * identical WAL and the writer is not measured.
 *
 * <p>{@code debezium_defaults_json} (first repetition only, for context): the same engine with Debezium's JSON format
 * printing every record's value to stdout — what a user gets from Debezium with its defaults
 * when JSON lines on stdout are wanted.
 *
 * <p>Workload (N changes, as the stream scenario): 50 % inserts, 30 % updates, 20 % deletes, half in
 * transactions of N/100 rows, half in single-row transactions.
 */
final class CliThroughput {

    static final String TABLE = "bench_cli";
    static final String PUB = "bench_cli_pub";
    static final List<String> VARIANTS = List.of("cli_seed", "debezium_defaults", "debezium_defaults_json");

    private final BenchRun bench;
    private final BenchSupport.Db db;
    private final Path outDir;
    private final String xmx;
    private final long changes;
    private final int reps;
    private final List<Map<String, String>> results = new ArrayList<>();

    /** @param bench the driver, for its SQL helpers and workload writer */
    CliThroughput(BenchRun bench, BenchSupport.Db db, Path outDir, String xmx, long changes, int reps) {
        this.bench = bench;
        this.db = db;
        this.outDir = outDir;
        this.xmx = xmx;
        this.changes = changes;
        this.reps = reps;
    }

    /** Runs every repetition, printing one {@code cli ...} line per process. */
    void run() throws Exception {
        bench.exec(
                "CREATE TABLE " + TABLE + " " + BenchRun.COLUMNS, "CREATE PUBLICATION " + PUB + " FOR TABLE " + TABLE);
        for (int r = 1; r <= reps; r++) {
            for (String v : variants(r)) {
                bench.query("SELECT lsn FROM pg_create_logical_replication_slot('" + slot(v, r) + "', 'pgoutput')");
            }
        }
        long w = System.nanoTime();
        bench.write(TABLE, changes);
        System.out.printf(
                Locale.ROOT,
                "cli_workload changes=%d written_s=%.1f wal_mb=%s%n",
                changes,
                (System.nanoTime() - w) / 1e9,
                bench.query("SELECT round((pg_current_wal_lsn() - min(restart_lsn)) / 1048576)"
                        + " FROM pg_replication_slots WHERE slot_name LIKE 'bench_cli_%'"));
        for (int r = 1; r <= reps; r++) {
            List<String> vs = variants(r);
            for (int i = 0; i < vs.size(); i++) {
                String v = vs.get((i + r - 1) % vs.size()); // alternate which goes first
                Map<String, String> m = v.equals("cli_seed") ? cli(slot(v, r)) : defaults(slot(v, r), v);
                m.put("rep", Integer.toString(r));
                m.put("load1", BenchSupport.fmt(BenchSupport.load1()));
                results.add(m);
                System.out.println("cli " + BenchRun.line(m));
                bench.dropSlot(slot(v, r));
            }
        }
    }

    /** The JSON-format baseline runs in the first repetition only (context, not the goal). */
    private static List<String> variants(int rep) {
        return rep == 1 ? VARIANTS : VARIANTS.subList(0, 2);
    }

    /** Prints the per-variant spread and the CLI / Debezium-defaults ratio; returns its median (NaN when not run). */
    double summary() {
        if (results.isEmpty()) {
            return Double.NaN;
        }
        System.out.println("cli vs Debezium defaults, whole process (JVM start to exit), changes/s median [min..max]:");
        for (String v : VARIANTS) {
            double[] rates = results.stream()
                    .filter(m -> v.equals(m.get("variant")))
                    .mapToDouble(m -> Double.parseDouble(m.get("rate")))
                    .toArray();
            System.out.printf(Locale.ROOT, "  %-18s n=%d %s%n", v, rates.length, BenchRun.spread(rates));
        }
        double[] r = ratios("debezium_defaults");
        System.out.printf(
                Locale.ROOT,
                "  %-58s %s%n",
                "drasi-pg stream --format seed / Debezium defaults (goal >= 1.0)",
                BenchRun.spread(r));
        double[] json = ratios("debezium_defaults_json");
        if (json.length > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-58s %s%n",
                    "drasi-pg stream / Debezium defaults, JSON to stdout",
                    BenchRun.spread(json));
        }
        return BenchSupport.median(r);
    }

    /** @return per repetition: drasi-pg's rate / the baseline's rate */
    private double[] ratios(String baseline) {
        List<Double> ratios = new ArrayList<>();
        for (Map<String, String> a : results) {
            for (Map<String, String> b : results) {
                if ("cli_seed".equals(a.get("variant"))
                        && baseline.equals(b.get("variant"))
                        && a.get("rep").equals(b.get("rep"))) {
                    ratios.add(Double.parseDouble(a.get("rate")) / Double.parseDouble(b.get("rate")));
                }
            }
        }
        return ratios.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private Map<String, String> cli(String slot) throws Exception {
        Path dir = Files.createTempDirectory(outDir, "cli-");
        Path config = dir.resolve("source.yaml");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("host", db.host());
        properties.put("port", db.port());
        properties.put("database", db.database());
        properties.put("user", db.user());
        properties.put("password", db.password());
        properties.put("ssl_mode", "disable");
        properties.put("tables", List.of(TABLE));
        properties.put("slot_name", slot);
        properties.put("publication_name", PUB);
        // serialized, not joined by hand: YAML quotes whatever the password holds
        new YAMLMapper().writeValue(config.toFile(), Map.of("source_type", "postgres", "properties", properties));
        // exit 0 only after --max-changes lines were written to stdout
        Map<String, String> m = time(
                "cli_seed",
                List.of(
                        "io.drasi.source.postgres.cli.DrasiPg",
                        "stream",
                        "--config",
                        config.toString(),
                        "--format",
                        "seed",
                        "--max-changes",
                        Long.toString(changes),
                        "--offsets",
                        dir.resolve("pg.offsets").toString()));
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
        return m;
    }

    private Map<String, String> defaults(String slot, String variant) throws Exception {
        // exit 0 only after `changes` records arrived (and, for JSON, were printed)
        return time(
                variant,
                List.of(
                        DebeziumDefaultsMain.class.getName(),
                        db.host(),
                        Integer.toString(db.port()),
                        db.database(),
                        db.user(),
                        db.password(),
                        TABLE,
                        slot,
                        PUB,
                        Long.toString(changes),
                        variant.endsWith("_json") ? "json" : "connect"));
    }

    /** Runs one child JVM, stdout discarded (the same for every variant), and times it from start to exit. */
    private Map<String, String> time(String variant, List<String> mainAndArgs) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + xmx, "-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        Path log = outDir.resolve("cli-" + variant + ".log");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    variant + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + "); see " + log);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("variant", variant);
        m.put("changes", Long.toString(changes));
        m.put("process_seconds", String.format(Locale.ROOT, "%.3f", s));
        m.put("rate", String.format(Locale.ROOT, "%.0f", changes / s));
        return m;
    }

    private static String slot(String variant, int rep) {
        return "bench_cli_" + variant + "_" + rep;
    }
}

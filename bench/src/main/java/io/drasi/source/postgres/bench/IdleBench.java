package io.drasi.source.postgres.bench;

import com.sun.management.OperatingSystemMXBean;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.local.LocalPostgres;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario {@code idle} of {@code bench/run} (issue 19): what a source costs while nothing happens, and how fast a
 * change reaches the sink at low to high rates, with the adapter's DEFAULT configuration (file offset store).
 * Starts its own throwaway PostgreSQL ({@link LocalPostgres}) and runs the source in this JVM, which does nothing
 * else meanwhile, so this process's CPU time is the source's.
 *
 * <ol>
 * <li>warm-up: 1000 tx/s for 10 s (5 s with {@code --quick}), so that the JIT compiler is done, then 10 s quiet;</li>
 * <li>idle: the process CPU time over {@code idle_s} (60 s; 20 s with {@code --quick}) as % of one core;</li>
 * <li>latency: single-row autocommit inserts at 1, 20, 200 and 1000 tx/s, each for {@code rate_s} (20 s; 6 s with
 *     {@code --quick}); commit→sink = from the return of COMMIT to the sink seeing the row (same clock); the first
 *     second of each rate is warm-up. {@code cpu_pct}: the process CPU time of the rate without the writer thread's
 *     own (the JDBC inserts), as % of one core.</li>
 * </ol>
 * Then {@code close()} after 3 s idle is timed. Prints {@code idle ...} and {@code idle_latency ...} lines and a
 * summary against the goals (idle ≤ 3 %, p50 ≤
 * 10 ms, p99 ≤ 50 ms). Options: {@code --quick}, {@code --idle-seconds N}, {@code --rate-seconds N}; others (of
 * {@code bench/run}) are ignored. Run by {@code bench/run} (full runs and {@code --only idle}).
 */
public final class IdleBench {

    static final int[] RATES = {1, 20, 200, 1000};
    static final String TABLE = "bench_idle";

    private IdleBench() {}

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        int idleSeconds = intOption(args, "--idle-seconds", quick ? 20 : 60);
        int rateSeconds = intOption(args, "--rate-seconds", quick ? 6 : 20);
        List<String> tried = new ArrayList<>();
        Path bin = LocalPostgres.findBinDir(System.getenv(), tried)
                .orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries: " + tried));
        try (LocalPostgres pg =
                LocalPostgres.builder(bin).tempDirPrefix("drasi-bench-idle-").start()) {
            try (Connection c =
                            DriverManager.getConnection(pg.jdbcUrl(pg.defaultDatabase()), pg.user(), pg.password());
                    Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE bench_idle");
            }
            BenchSupport.Db db = new BenchSupport.Db(pg.host(), pg.port(), "bench_idle", pg.user(), pg.password());
            try (Connection c = db.open();
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE " + TABLE + " " + BenchRun.COLUMNS);
            }
            run(db, idleSeconds, rateSeconds);
        }
    }

    private static void run(BenchSupport.Db db, int idleSeconds, int rateSeconds) throws Exception {
        int warmSeconds = idleSeconds < 60 ? 5 : 10;
        int total = 1 + 1000 * warmSeconds;
        for (int rate : RATES) {
            total += rate * rateSeconds;
        }
        long[] committed = new long[total];
        AtomicLongArray arrived = new AtomicLongArray(total);
        Path offsets = BenchSupport.tempOffsets("drasi-bench-idle", "idle.offsets");
        List<String> summary = new ArrayList<>();
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                        "idle",
                        db.config(TABLE, "bench_idle_slot", "bench_idle_pub")
                                .withOffsetStore(offsets)
                                .build());
                Connection c = db.open();
                PreparedStatement insert = c.prepareStatement("INSERT INTO " + TABLE
                        + " VALUES (?, ?, ?, 1.5, 'idle', 'v', now(), true, 2.5, gen_random_uuid())")) {
            source.start(LatencyBench.arrivals(arrived));
            if (!source.awaitState(State.RUNNING, Duration.ofMinutes(2))) {
                throw new IllegalStateException("source not RUNNING: " + source.state() + " " + source.failure());
            }
            LatencyBench.write(insert, committed, 0);
            LatencyBench.awaitArrival(arrived, 0, 1, 60_000);
            int next = 1;
            writeAtRate(insert, committed, arrived, next, 1000, 1000 * warmSeconds); // warm-up: JIT-compile the paths
            next += 1000 * warmSeconds;
            Thread.sleep(10_000); // the compiler, the last batches and the offset flush are done

            double idle = cpuPercent(() -> Thread.sleep(idleSeconds * 1000L));
            System.out.printf(
                    Locale.ROOT,
                    "idle cpu_pct=%.2f seconds=%d threads=%d load1=%s%n",
                    idle,
                    idleSeconds,
                    ManagementFactory.getThreadMXBean().getThreadCount(),
                    BenchSupport.fmt(BenchSupport.load1()));
            summary.add(String.format(Locale.ROOT, "idle CPU %.2f %% of a core (goal <= 3)", idle));

            for (int rate : RATES) {
                int from = next;
                int n = rate * rateSeconds;
                long writer0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                double all = cpuPercent(() -> writeAtRate(insert, committed, arrived, from, rate, n));
                double writer = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - writer0)
                        * 100.0
                        / (System.nanoTime() - t0);
                double cpu = all - writer;
                next += n;
                double[] ms = latencies(committed, arrived, from + Math.min(rate, n / 2), from + n);
                double p50 = BenchSupport.quantile(ms, 0.5);
                double p99 = BenchSupport.quantile(ms, 0.99);
                System.out.printf(
                        Locale.ROOT,
                        "idle_latency rate=%d n=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f" + " cpu_pct=%.1f load1=%s%n",
                        rate,
                        ms.length,
                        p50,
                        p99,
                        BenchSupport.quantile(ms, 1.0),
                        cpu,
                        BenchSupport.fmt(BenchSupport.load1()));
                summary.add(String.format(
                        Locale.ROOT,
                        "%4d tx/s: commit->sink p50 %.1f ms (goal <= 10), p99 %.1f ms"
                                + " (goal <= 50), CPU %.1f %% of a core (without the writer)",
                        rate,
                        p50,
                        p99,
                        cpu));
                Thread.sleep(1000);
            }
            Thread.sleep(3000); // idle again: the stream and the polling thread wait
            long t0 = System.nanoTime();
            source.close();
            long closeMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf(Locale.ROOT, "idle close_ms=%d%n", closeMs);
            summary.add("close() while idle: " + closeMs + " ms");
        }
        System.out.println("idle summary (default config; "
                + Files.readString(Path.of("/proc/loadavg")).trim() + "):");
        summary.forEach(s -> System.out.println("  " + s));
    }

    /** Inserts {@code n} rows (ids from {@code from}) at {@code rate} per second, then waits until all arrived. */
    private static void writeAtRate(
            PreparedStatement insert, long[] committed, AtomicLongArray arrived, int from, int rate, int n)
            throws Exception {
        long period = 1_000_000_000L / rate;
        long begin = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long wait = begin + i * period - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            LatencyBench.write(insert, committed, from + i);
        }
        LatencyBench.awaitArrival(arrived, from, from + n, 60_000);
    }

    private interface Phase {
        void run() throws Exception;
    }

    /** @return this process's CPU time while {@code phase} ran, as % of one core */
    private static double cpuPercent(Phase phase) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        phase.run();
        return (os.getProcessCpuTime() - cpu0) * 100.0 / (System.nanoTime() - t0);
    }

    private static double[] latencies(long[] committed, AtomicLongArray arrived, int from, int to) {
        double[] ms = new double[to - from];
        for (int i = from; i < to; i++) {
            ms[i - from] = (arrived.get(i) - committed[i]) / 1e6;
        }
        return ms;
    }

    private static int intOption(String[] args, String name, int dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return dflt;
    }
}

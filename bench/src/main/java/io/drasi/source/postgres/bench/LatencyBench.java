package io.drasi.source.postgres.bench;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Child JVM of {@link BenchRun}: commit→sink latency of the adapter with its default configuration
 * (poll interval, batch sizes, file offset store flushed after every batch). A writer in this JVM inserts
 * single-row transactions and records {@link System#nanoTime()} when each COMMIT returns; the sink records
 * when that row's change arrives (same clock). Args: {@code host port database user password table slot
 * publication ratePerSecond seconds idleChanges}. Prints {@code startup ...}, {@code latency ...} lines.
 *
 * <p>Phases: start-up (the first change, inserted right after {@code start()} returned), steady (the rate
 * for the given seconds; the first 2 s are warm-up and not counted), idle (single changes 200 ms apart).
 */
public final class LatencyBench {

    private LatencyBench() {}

    public static void main(String[] args) throws Exception {
        BenchSupport.Db db = BenchSupport.Db.parse(args, 0);
        String table = args[5];
        int rate = Integer.parseInt(args[8]);
        int seconds = Integer.parseInt(args[9]);
        int idle = Integer.parseInt(args[10]);
        int steadyCount = rate * seconds;
        int total = 1 + steadyCount + idle;
        long[] committed = new long[total];
        AtomicLongArray arrived = new AtomicLongArray(total);
        Path offsets = BenchSupport.tempOffsets("drasi-bench-latency", "latency.offsets");
        PostgresSourceConfig config =
                db.config(table, args[6], args[7]).withOffsetStore(offsets).build();

        long t0 = System.nanoTime();
        try (PostgresReplicationSource source = new PostgresReplicationSource("latency", config);
                Connection c = db.open();
                PreparedStatement insert = c.prepareStatement("INSERT INTO " + table
                        + " VALUES (?, ?, ?, 1.5, 'latency', 'v', now(), true, 2.5, gen_random_uuid())")) {
            source.start(arrivals(arrived));
            long started = System.nanoTime();
            write(insert, committed, 0);
            awaitArrival(arrived, 0, 1, 60_000);
            System.out.printf(
                    Locale.ROOT,
                    "startup start_ms=%.0f first_change_ms=%.0f first_change_since_jvm_start_ms=%d%n",
                    (started - t0) / 1e6,
                    (arrived.get(0) - t0) / 1e6,
                    BenchSupport.msSinceJvmStart() - (System.nanoTime() - arrived.get(0)) / 1_000_000);

            // steady rate: paced by schedule, not by sleeping a fixed time after each commit
            long period = 1_000_000_000L / rate;
            long begin = System.nanoTime();
            for (int i = 1; i <= steadyCount; i++) {
                long due = begin + (i - 1) * period;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                write(insert, committed, i);
            }
            double achieved = steadyCount / ((System.nanoTime() - begin) / 1e9);
            awaitArrival(arrived, 1, 1 + steadyCount, 60_000);
            int warmup = Math.min(steadyCount / 2, rate * 2);
            report("steady", committed, arrived, 1 + warmup, 1 + steadyCount, achieved);

            for (int i = 1 + steadyCount; i < total; i++) {
                Thread.sleep(200);
                write(insert, committed, i);
            }
            awaitArrival(arrived, 1 + steadyCount, total, 60_000);
            report("idle", committed, arrived, 1 + steadyCount, total, 5.0);
        }
        System.out.println("memory rss_mb=" + BenchSupport.peakRssMb() + " heap_mb=" + BenchSupport.peakHeapMb());
        System.exit(0);
    }

    /** @return a sink that records {@link System#nanoTime()} at index {@code id} when an insert arrives */
    static ChangeSink arrivals(AtomicLongArray arrived) {
        return batch -> {
            long now = System.nanoTime();
            for (PositionedChange pc : batch) {
                if (pc.change() instanceof SourceChange.Insert ins
                        && ins.element().properties().get("id") instanceof ElementValue.IntValue id) {
                    arrived.set((int) id.value(), now);
                }
            }
        };
    }

    static void write(PreparedStatement insert, long[] committed, int id) throws Exception {
        insert.setLong(1, id);
        insert.setInt(2, id % 1000);
        insert.setLong(3, id * 7L);
        insert.executeUpdate(); // autocommit: returns after COMMIT
        committed[id] = System.nanoTime();
    }

    static void awaitArrival(AtomicLongArray arrived, int from, int to, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (int i = from; i < to; i++) {
            while (arrived.get(i) == 0) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("change " + i + " did not arrive within " + timeoutMs + " ms");
                }
                Thread.sleep(5);
            }
        }
    }

    private static void report(String phase, long[] committed, AtomicLongArray arrived, int from, int to, double rate) {
        List<Double> ms = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ms.add((arrived.get(i) - committed[i]) / 1e6);
        }
        double[] v = ms.stream().mapToDouble(Double::doubleValue).toArray();
        System.out.printf(
                Locale.ROOT,
                "latency phase=%s n=%d rate=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
                phase,
                v.length,
                rate,
                BenchSupport.quantile(v, 0.5),
                BenchSupport.quantile(v, 0.99),
                BenchSupport.quantile(v, 1.0));
    }
}

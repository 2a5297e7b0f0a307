package io.drasi.source.postgres.bench;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.bootstrap.BootstrapProgress;
import java.sql.Connection;
import java.util.Locale;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Child JVM of {@link BenchRun}: bootstrap rows/s of the adapter's public API
 * ({@link PostgresReplicationSource#bootstrap}: temporary slot, exported snapshot, rows mapped to Drasi
 * Inserts, counted) against {@code COPY (SELECT * FROM t) TO STDOUT} drained by the same JDBC driver, same
 * table, same run — measured in the same way for every reader. One warm-up round, then
 * {@code rounds} measured rounds (order alternating). Args: {@code host port database user password table
 * rounds}. Prints {@code bootstrap round=.. copy_rows_per_s=.. adapter_rows_per_s=.. ratio=..} lines.
 */
public final class BootstrapBench {

    private BootstrapBench() {}

    public static void main(String[] args) throws Exception {
        BenchSupport.Db db = BenchSupport.Db.parse(args, 0);
        String table = args[5];
        int rounds = Integer.parseInt(args[6]);
        PostgresSourceConfig config = db.config(table, "bench_bootstrap_unused", "bench_boot_pub")
                .withInMemoryOffsets()
                .build();
        for (int round = 0; round <= rounds; round++) {
            double copy;
            double adapter;
            if (round % 2 == 0) {
                copy = copyDrained(db, table);
                adapter = adapterBootstrap(config);
            } else {
                adapter = adapterBootstrap(config);
                copy = copyDrained(db, table);
            }
            System.out.printf(
                    Locale.ROOT,
                    "bootstrap round=%s copy_rows_per_s=%.0f adapter_rows_per_s=%.0f ratio=%.3f" + " load1=%.2f%n",
                    round == 0 ? "warmup" : Integer.toString(round),
                    copy,
                    adapter,
                    adapter / copy,
                    BenchSupport.load1());
        }
        System.out.println("memory rss_mb=" + BenchSupport.peakRssMb() + " heap_mb=" + BenchSupport.peakHeapMb());
        System.exit(0);
    }

    private static double copyDrained(BenchSupport.Db db, String table) throws Exception {
        try (Connection c = db.open()) {
            long start = System.nanoTime();
            CopyOut out =
                    c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT * FROM " + table + ") TO STDOUT");
            long rows = 0;
            while (out.readFromCopy() != null) {
                rows++;
            }
            return rows * 1e9 / (System.nanoTime() - start);
        }
    }

    private static double adapterBootstrap(PostgresSourceConfig config) {
        long[] rows = {0};
        long start = System.nanoTime();
        try (PostgresReplicationSource source = new PostgresReplicationSource("bench", config)) {
            source.bootstrap(Set.of(), insert -> rows[0]++, BootstrapProgress.NONE);
        }
        return rows[0] * 1e9 / (System.nanoTime() - start);
    }
}

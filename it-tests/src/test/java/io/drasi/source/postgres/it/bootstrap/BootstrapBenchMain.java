package io.drasi.source.postgres.it.bootstrap;

import io.drasi.source.postgres.bootstrap.BootstrapProvider;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.model.TableId;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;
import java.util.Set;

/**
 * Child-JVM driver for the memory test (run with a small -Xmx): one full bootstrap through the public API.
 * Args: host port database user password schema table bootstrap. Prints {@code key=value} lines. (The reader
 * benchmark that compared COPY and cursor reads is bench/'s {@code BootstrapBench}.)
 */
public final class BootstrapBenchMain {

    private BootstrapBenchMain() {}

    public static void main(String[] args) throws Exception {
        ConnectionSettings settings = ConnectionSettings.builder()
                .host(args[0])
                .port(Integer.parseInt(args[1]))
                .database(args[2])
                .user(args[3])
                .password(args[4])
                .sslMode(SslMode.DISABLE)
                .build();
        TableId table = TableId.of(args[5], args[6]);
        String mode = args[7];
        if (!mode.equals("bootstrap")) {
            throw new IllegalArgumentException(
                    "mode must be 'bootstrap'; the reader benchmark is bench/'s BootstrapBench");
        }
        report("bootstrap_copy", fullBootstrap(settings, table));
        System.out.println("peak_heap_after_gc_mb=" + peakOldGenAfterGcMb());
        System.out.println("max_heap_mb=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }

    private record Run(long rows, long nanos) {}

    private static void report(String name, Run r) {
        System.out.printf(
                Locale.ROOT,
                "%s rows=%d seconds=%.3f rows_per_s=%.0f%n",
                name,
                r.rows,
                r.nanos / 1e9,
                r.rows * 1e9 / r.nanos);
    }

    private static Run fullBootstrap(ConnectionSettings s, TableId t) {
        long[] rows = {0};
        long start = System.nanoTime();
        BootstrapProvider.builder(s)
                .sourceId("bench")
                .tables(java.util.List.of(t))
                .build()
                .bootstrapWithTemporarySlot(Set.of(), i -> rows[0]++);
        return new Run(rows[0], System.nanoTime() - start);
    }

    private static long peakOldGenAfterGcMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                peak = Math.max(peak, pool.getPeakUsage().getUsed());
            }
        }
        return peak / (1024 * 1024);
    }
}

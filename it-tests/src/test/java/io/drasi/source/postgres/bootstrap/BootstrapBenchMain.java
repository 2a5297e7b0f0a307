package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.model.TableId;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Child-JVM driver for the memory test and the reader benchmark (run with a small -Xmx).
 * Args: host port database user password schema table mode, where mode is {@code bootstrap} (one full
 * bootstrap) or {@code bench} (COPY drained vs TableReader COPY/CURSOR vs full bootstrap COPY/CURSOR,
 * each measured twice, second run reported). Prints {@code key=value} lines.
 */
public final class BootstrapBenchMain {

    private BootstrapBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        ConnectionSettings settings = ConnectionSettings.builder().host(args[0]).port(Integer.parseInt(args[1]))
                .database(args[2]).user(args[3]).password(args[4]).sslMode(ConnectionSettings.SslMode.DISABLE).build();
        TableId table = TableId.of(args[5], args[6]);
        String mode = args[7];
        if (mode.equals("bootstrap")) {
            report("bootstrap_copy", fullBootstrap(settings, table, TableReader.Mode.COPY));
        } else {
            for (int round = 1; round <= 2; round++) {
                String p = round == 1 ? "warmup_" : "";
                report(p + "copy_select_star_drained", copyDrained(settings, table));
                report(p + "reader_copy_parse", readerOnly(settings, table, TableReader.Mode.COPY));
                report(p + "reader_cursor_getstring", readerOnly(settings, table, TableReader.Mode.CURSOR));
                report(p + "bootstrap_copy", fullBootstrap(settings, table, TableReader.Mode.COPY));
                report(p + "bootstrap_cursor", fullBootstrap(settings, table, TableReader.Mode.CURSOR));
            }
        }
        System.out.println("peak_heap_after_gc_mb=" + peakOldGenAfterGcMb());
        System.out.println("max_heap_mb=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }

    private record Run(long rows, long nanos) {
    }

    private static void report(String name, Run r) {
        System.out.printf(Locale.ROOT, "%s rows=%d seconds=%.3f rows_per_s=%.0f%n", name, r.rows, r.nanos / 1e9,
                r.rows * 1e9 / r.nanos);
    }

    private static Run copyDrained(ConnectionSettings s, TableId t) throws Exception {
        try (Connection c = s.openConnection()) {
            long start = System.nanoTime();
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT * FROM " + Sql.qualified(t)
                    + ") TO STDOUT");
            long rows = 0;
            while (out.readFromCopy() != null) {
                rows++;
            }
            return new Run(rows, System.nanoTime() - start);
        }
    }

    private static Run readerOnly(ConnectionSettings s, TableId t, TableReader.Mode mode) throws Exception {
        try (Connection c = s.openConnection()) {
            try (Statement st = c.createStatement()) {
                for (var e : io.drasi.source.postgres.mapping.value.PgValueConverter.REQUIRED_SESSION_SETTINGS.entrySet()) {
                    st.execute("SELECT set_config(" + Sql.literal(e.getKey()) + ", " + Sql.literal(e.getValue()) + ", false)");
                }
            }
            c.setAutoCommit(false);
            TableDescription d = new Catalog(c).describe(t);
            long start = System.nanoTime();
            long[] chars = {0};
            long rows = new TableReader(c, mode, 10_000).read(d, d.columnNames(), v -> chars[0] += v.length);
            long nanos = System.nanoTime() - start;
            c.commit();
            return new Run(rows, nanos);
        }
    }

    private static Run fullBootstrap(ConnectionSettings s, TableId t, TableReader.Mode mode) {
        long[] rows = {0};
        long start = System.nanoTime();
        BootstrapProvider.builder(s).sourceId("bench").tables(java.util.List.of(t)).readMode(mode, 10_000).build()
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

package io.drasi.source.postgres.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Shared helpers of the benchmark programs: connection arguments, memory readings, statistics. */
final class BenchSupport {

    private BenchSupport() {}

    /** Connection arguments passed from the driver to a child JVM: host port database user password. */
    record Db(String host, int port, String database, String user, String password) {

        static Db parse(String[] args, int from) {
            return new Db(args[from], Integer.parseInt(args[from + 1]), args[from + 2], args[from + 3], args[from + 4]);
        }

        List<String> args() {
            return List.of(host, Integer.toString(port), database, user, password);
        }

        String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        Connection open() throws SQLException {
            return DriverManager.getConnection(jdbcUrl(), user, password);
        }

        /** A source config on this database with the adapter's defaults for everything else. */
        io.drasi.source.postgres.PostgresSourceBuilder config(String table, String slot, String publication) {
            return io.drasi.source.postgres.PostgresSourceConfig.builder()
                    .withHost(host)
                    .withPort(port)
                    .withDatabase(database)
                    .withUser(user)
                    .withPassword(password)
                    .withSslMode(io.drasi.source.postgres.core.SslMode.DISABLE)
                    .withTables(table)
                    .withSlotName(slot)
                    .withPublicationName(publication);
        }
    }

    /** @return VmHWM (peak resident set) of this process in MB, or -1 when /proc is not readable */
    /**
     * A fresh offsets file in a temp directory that is deleted (with the offsets and the bootstrap marker)
     * when the JVM exits.
     */
    static java.nio.file.Path tempOffsets(String prefix, String fileName) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(prefix);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try (var files = java.nio.file.Files.walk(dir)) {
                                files.sorted(java.util.Comparator.reverseOrder())
                                        .forEach(f -> f.toFile().delete());
                            } catch (java.io.IOException e) {
                                // best effort
                            }
                        },
                        "bench-temp-cleanup"));
        return dir.resolve(fileName);
    }

    static long peakRssMb() {
        return procStatusKb(Path.of("/proc/self/status"), "VmHWM:") / 1024;
    }

    /** @return a {@code /proc/<pid>/status} field in kB, or -1 */
    static long procStatusKb(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone or no /proc
        }
        return -1;
    }

    /** @return the largest heap use of any heap pool seen so far, summed over pools, in MB */
    static long peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum / (1024 * 1024);
    }

    /** @return milliseconds since this JVM started */
    static long msSinceJvmStart() {
        return System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    /** @return the 1-minute load average, or -1 */
    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return the q-quantile (0..1) of the values, nearest-rank; NaN when empty */
    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int idx = (int) Math.ceil(q * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, idx))];
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}

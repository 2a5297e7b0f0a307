package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.SourceStats;
import io.drasi.source.postgres.bootstrap.BootstrapProgress;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.engine.Connections;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Progress lines on stderr every few seconds while streaming: changes/s (since the last line and overall),
 * totals, last LSN, lag in ms (commit → acknowledgement) and in bytes (WAL written since the last
 * delivered change, read with a short query on a separate connection). Also formats bootstrap progress.
 */
final class Progress implements AutoCloseable {

    private final PrintStream err;
    private final Supplier<SourceStats> stats;
    private final LongSupplier printed;
    private final ConnectionSettings settings;
    private final Supplier<String> extra;
    private final ScheduledExecutorService timer;
    private final long startNanos = System.nanoTime();
    private long lastCount;
    private long lastNanos = startNanos;
    private Connection lagConnection;
    private boolean lagUnavailable;

    private Progress(
            PrintStream err,
            Supplier<SourceStats> stats,
            LongSupplier printed,
            ConnectionSettings settings,
            Supplier<String> extra) {
        this.err = err;
        this.extra = extra;
        this.stats = stats;
        this.printed = printed;
        this.settings = settings;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drasi-pg-progress");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts printing every {@code interval}; {@link Duration#ZERO} disables.
     */
    static Progress start(
            Duration interval, Supplier<SourceStats> stats, LongSupplier printed, PostgresSourceConfig config) {
        return start(interval, stats, printed, config, null);
    }

    /**
     * As {@link #start(Duration, Supplier, LongSupplier, PostgresSourceConfig)}, appending {@code extra} (e.g. the
     * HTTP sink's lag and retries) to every line; null for nothing.
     */
    static Progress start(
            Duration interval,
            Supplier<SourceStats> stats,
            LongSupplier printed,
            PostgresSourceConfig config,
            Supplier<String> extra) {
        Progress p = new Progress(System.err, stats, printed, config == null ? null : settings(config), extra);
        if (!interval.isZero() && !interval.isNegative()) {
            p.timer.scheduleAtFixedRate(p::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return p;
    }

    static ConnectionSettings settings(PostgresSourceConfig config) {
        return Connections.builder(config).applicationName("drasi-pg-progress").build();
    }

    private synchronized void tick() {
        try {
            SourceStats s = stats.get();
            long now = System.nanoTime();
            long count = printed.getAsLong();
            double rate = (count - lastCount) * 1e9 / Math.max(1, now - lastNanos);
            double avg = count * 1e9 / Math.max(1, now - startNanos);
            lastCount = count;
            lastNanos = now;
            StringBuilder sb = new StringBuilder(String.format(
                    Locale.ROOT,
                    "[progress] %,d changes (%,.1f/s now, %,.1f/s avg), %,d transactions, state %s",
                    count,
                    rate,
                    avg,
                    s.transactions(),
                    s.state()));
            if (s.lastLsn().isValid()) {
                sb.append(", last LSN ").append(s.lastLsn());
            }
            if (s.lagMillis() >= 0) {
                sb.append(String.format(Locale.ROOT, ", lag %,d ms", s.lagMillis()));
                long bytes = lagBytes(s.lastLsn());
                if (bytes >= 0) {
                    sb.append(String.format(Locale.ROOT, " / %,d bytes", bytes));
                }
            }
            if (s.reconnects() > 0) {
                sb.append(", ").append(s.reconnects()).append(" reconnects");
            }
            if (extra != null) {
                sb.append("; ").append(extra.get());
            }
            err.println(sb);
        } catch (RuntimeException e) {
            err.println("[progress] unavailable: " + e.getMessage());
        }
    }

    /** @return bytes of WAL written after {@code lsn}, or -1 when unknown */
    private long lagBytes(Lsn lsn) {
        if (settings == null || lagUnavailable || !lsn.isValid()) {
            return -1;
        }
        try {
            if (lagConnection == null || lagConnection.isClosed()) {
                lagConnection = settings.openConnection();
            }
            try (PreparedStatement ps = lagConnection.prepareStatement(
                    "select greatest(0, pg_wal_lsn_diff(pg_current_wal_lsn(), ?::pg_lsn))::bigint")) {
                ps.setString(1, lsn.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            closeLagConnection();
            return -1;
        } catch (RuntimeException e) {
            lagUnavailable = true;
            return -1;
        }
    }

    private void closeLagConnection() {
        if (lagConnection != null) {
            try {
                lagConnection.close();
            } catch (SQLException e) {
                // best effort
            }
            lagConnection = null;
        }
    }

    /** @return a bootstrap listener that prints table start/finish and periodic rows done / estimated */
    static BootstrapProgress bootstrapPrinter(PrintStream err) {
        return p -> err.println("[bootstrap] "
                + switch (p.phase()) {
                    case STARTED ->
                        String.format(
                                Locale.ROOT,
                                "table %d/%d %s: starting, ~%s rows estimated",
                                p.tableIndex(),
                                p.tableCount(),
                                p.table(),
                                p.rowsEstimated() < 0 ? "?" : String.format(Locale.ROOT, "%,d", p.rowsEstimated()));
                    case READING ->
                        String.format(
                                Locale.ROOT,
                                "table %d/%d %s: %,d of ~%s rows (%,.0f rows/s)",
                                p.tableIndex(),
                                p.tableCount(),
                                p.table(),
                                p.rowsDone(),
                                p.rowsEstimated() < 0 ? "?" : String.format(Locale.ROOT, "%,d", p.rowsEstimated()),
                                p.rowsPerSecond());
                    case FINISHED ->
                        String.format(
                                Locale.ROOT,
                                "table %d/%d %s: done, %,d rows in %.2f s",
                                p.tableIndex(),
                                p.tableCount(),
                                p.table(),
                                p.rowsDone(),
                                p.elapsed().toNanos() / 1e9);
                });
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        closeLagConnection();
    }
}

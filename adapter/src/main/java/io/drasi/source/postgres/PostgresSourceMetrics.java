package io.drasi.source.postgres;

import io.drasi.source.postgres.engine.Connections;
import io.drasi.source.postgres.model.TableId;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * A Micrometer {@link MeterBinder} for one source: bind it to the host's registry (Prometheus, JMX, ...) and the
 * source's counters appear as meters, tagged {@code source=<id>}. In Prometheus form:
 * <ul>
 *   <li>{@code drasi_source_changes_total{op="insert|update|delete|truncate"}} — streamed changes acknowledged</li>
 *   <li>{@code drasi_source_transactions_total} — transactions whose commit was acknowledged</li>
 *   <li>{@code drasi_source_lag_seconds} — commit → sink acknowledgement of the last batch</li>
 *   <li>{@code drasi_source_reconnects_total}</li>
 *   <li>{@code drasi_source_bootstrap_rows_total{table}} — per configured table (the table's label)</li>
 *   <li>{@code drasi_source_state{state}} — 1 for the current state, 0 for the others</li>
 *   <li>{@code drasi_source_slot_retained_wal_bytes} — WAL the slot keeps ({@code pg_current_wal_lsn() -
 *       restart_lsn}), sampled with a short query at most every 5 s when scraped</li>
 * </ul>
 * Micrometer is an optional dependency of this library: add {@code io.micrometer:micrometer-core} to use this class.
 *
 * <p>Thread-safety: the meters read {@link PostgresReplicationSource#stats()} (thread-safe); the WAL sample is
 * synchronized. Nullability: no argument may be null.
 */
public final class PostgresSourceMetrics implements MeterBinder {

    private static final long SAMPLE_MILLIS = 5_000;

    private final PostgresReplicationSource source;
    private long sampledAt;
    private double retainedWalBytes = Double.NaN;

    /** @param source the source to observe */
    public PostgresSourceMetrics(PostgresReplicationSource source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("source", source.id());
        counter(
                registry,
                "drasi.source.changes",
                tags.and("op", "insert"),
                s -> s.stats().inserts());
        counter(
                registry,
                "drasi.source.changes",
                tags.and("op", "update"),
                s -> s.stats().updates());
        counter(
                registry,
                "drasi.source.changes",
                tags.and("op", "delete"),
                s -> s.stats().deletes());
        counter(
                registry,
                "drasi.source.changes",
                tags.and("op", "truncate"),
                s -> s.stats().truncates());
        counter(registry, "drasi.source.transactions", tags, s -> s.stats().transactions());
        counter(registry, "drasi.source.reconnects", tags, s -> s.stats().reconnects());
        Gauge.builder(
                        "drasi.source.lag",
                        source,
                        s -> s.stats().lagMillis() < 0 ? Double.NaN : s.stats().lagMillis() / 1000.0)
                .tags(tags)
                .baseUnit("seconds")
                .description("commit to sink acknowledgement of the last batch")
                .register(registry);
        for (String table : source.config().tables()) {
            String label = TableId.parseQualified(table).table(); // the element label the bootstrap rows carry
            counter(
                    registry,
                    "drasi.source.bootstrap.rows",
                    tags.and("table", label),
                    s -> s.stats().bootstrapRows().getOrDefault(label, 0L));
        }
        for (State state : State.values()) {
            Gauge.builder("drasi.source.state", source, s -> s.state() == state ? 1 : 0)
                    .tags(tags.and("state", state.name()))
                    .description("1 for the current state")
                    .register(registry);
        }
        Gauge.builder("drasi.source.slot.retained.wal", this, PostgresSourceMetrics::retainedWalBytes)
                .strongReference(true) // gauges hold their object weakly: nothing else may keep this binder alive
                .tags(tags)
                .baseUnit("bytes")
                .description("WAL the replication slot keeps")
                .register(registry);
    }

    private void counter(
            MeterRegistry registry, String name, Tags tags, ToDoubleFunction<PostgresReplicationSource> f) {
        FunctionCounter.builder(name, source, f).tags(tags).register(registry);
    }

    private synchronized double retainedWalBytes() {
        long now = System.currentTimeMillis();
        if (now - sampledAt >= SAMPLE_MILLIS) {
            sampledAt = now;
            try (Connection c = Connections.open(Connections.settings(source.id(), source.config()));
                    PreparedStatement ps =
                            c.prepareStatement("select pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)"
                                    + " from pg_replication_slots where slot_name = ?")) {
                ps.setString(1, source.config().slotName());
                try (ResultSet rs = ps.executeQuery()) {
                    retainedWalBytes = rs.next() ? rs.getDouble(1) : Double.NaN;
                }
            } catch (SQLException | RuntimeException e) {
                retainedWalBytes = Double.NaN; // unknown while the server is unreachable
            }
        }
        return retainedWalBytes;
    }
}

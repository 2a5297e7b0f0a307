package io.drasi.source.postgres;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.engine.BatchHandler;
import io.drasi.source.postgres.engine.Connections;
import io.drasi.source.postgres.engine.DebeziumProperties;
import io.drasi.source.postgres.engine.GeneratedColumnFiller;
import io.drasi.source.postgres.engine.Mapping;
import io.drasi.source.postgres.engine.Preflight;
import io.drasi.source.postgres.engine.StatsCounter;
import io.drasi.source.postgres.engine.ToastFiller;
import io.drasi.source.postgres.engine.UnmappableValueLog;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.ForeignKeys;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The Drasi mapping for a Debezium engine you build yourself: plug it into
 * {@code DebeziumEngine.create(ChangeEventFormat.of(Connect.class)).using(props).notifying(consumer)} and your
 * {@link ChangeSink} receives Drasi changes in batches, exactly as from {@link PostgresReplicationSource} — same ids,
 * values, TOAST and generated-column re-reads, positions and acknowledgement (a batch's records are marked processed
 * only after the sink returned).
 *
 * <p>At construction it checks that the engine's properties carry what the mapping relies on
 * ({@code PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES}, and an END record for every transaction: Debezium's
 * transaction metadata, or the adapter's connector with its commit markers) and throws a
 * {@link ConfigurationException} naming every missing or different one;
 * {@link PostgresReplicationSource#debeziumEngineProperties} gives a complete set to start from. It also runs the
 * source's preflight (tables, keys, replica identity; creates the publication if missing), so it opens a short
 * connection to PostgreSQL.
 *
 * <p>Thread-safety: Debezium calls {@link #handleBatch} from one thread at a time; {@link #stats()} may be read
 * from any thread. {@link #close()} closes the re-read connections; call it after the engine stopped.
 * Nullability: no argument may be null.
 */
public final class DrasiChangeConsumer
        implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>>, AutoCloseable {

    private final StatsCounter stats = new StatsCounter(Clock.systemUTC());
    private final ToastFiller toast;
    private final GeneratedColumnFiller generated;
    private final BatchHandler handler;

    /**
     * @param sourceId         the Drasi source id written into every change
     * @param config           the source configuration (connection, tables, keys, value options)
     * @param engineProperties the properties your engine is built with
     * @param sink             receives the changes
     * @throws ConfigurationException   naming every engine property the mapping needs that is missing or different
     * @throws PreflightException       when the database is not ready (listing every problem)
     * @throws ConnectionFailedException when PostgreSQL cannot be reached
     */
    public DrasiChangeConsumer(
            String sourceId, PostgresSourceConfig config, Properties engineProperties, ChangeSink sink) {
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sink, "sink");
        List<String> problems = missingEngineProperties(engineProperties);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        ConnectionSettings connections = Connections.settings(sourceId, config);
        Preflight.Result preflight;
        ForeignKeys foreignKeys;
        try (Connection c = Connections.open(connections)) {
            preflight = Preflight.run(c, config);
            foreignKeys = Preflight.foreignKeys(c, config, preflight.tables());
        } catch (SQLException e) {
            throw Connections.describe(e, connections);
        }
        PgValueConverter converter = Mapping.converter(config, new UnmappableValueLog(sourceId, stats));
        this.toast = new ToastFiller(connections, converter, preflight.tables());
        this.generated = new GeneratedColumnFiller(
                connections, config, converter, preflight.tables(), preflight.generatedColumnsPublished());
        ChangeMapper mapper = Mapping.mapper(sourceId, converter, preflight.tables(), toast::columnTypes, foreignKeys);
        this.handler = new BatchHandler(
                mapper, sink, toast, generated, stats, Lsn.INVALID, () -> {}, "drasi-pg-" + sourceId + "-ack", null);
    }

    /**
     * @param engineProperties an engine's properties; never null
     * @return one line per property the mapping needs that is missing or has another value; empty when all is well
     */
    static List<String> missingEngineProperties(Properties engineProperties) {
        Objects.requireNonNull(engineProperties, "engineProperties");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES.entrySet()) {
            String actual = engineProperties.getProperty(e.getKey());
            if (actual == null) {
                problems.add("engine property `" + e.getKey() + "` is missing; set it to `" + e.getValue() + "`");
            } else if (!actual.equals(e.getValue())) {
                problems.add("engine property `" + e.getKey() + "` is `" + actual + "`; the Drasi mapping needs `"
                        + e.getValue() + "`");
            }
        }
        if (!DebeziumProperties.endsTransactions(engineProperties)) { // commit LSNs and onCommit come from END records
            String actual = engineProperties.getProperty("provide.transaction.metadata");
            problems.add("engine property `provide.transaction.metadata` is "
                    + (actual == null ? "missing" : "`" + actual + "`")
                    + "; set it to `true` (or start from PostgresReplicationSource.debeziumEngineProperties, whose"
                    + " connector ends every transaction itself)");
        }
        return problems;
    }

    @Override
    public void handleBatch(
            List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        handler.handleBatch(records, committer);
    }

    /** @return counters of what was delivered and acknowledged (state is RUNNING: the engine is yours) */
    public SourceStats stats() {
        return stats.snapshot(State.RUNNING);
    }

    @Override
    public void close() {
        handler.close();
        toast.close();
        generated.close();
    }
}

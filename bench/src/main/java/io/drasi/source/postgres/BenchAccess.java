package io.drasi.source.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Benchmark-only access to the adapter's package-private engine settings, so the raw-Debezium baselines run
 * with exactly the properties the adapter would use (same poll interval, batch and queue sizes, pgoutput,
 * snapshot mode, transaction metadata, offsets...). Lives in the bench module (same package name, class
 * path only); the adapter's API is unchanged.
 */
public final class BenchAccess {

    private BenchAccess() {
    }

    /**
     * @param sourceId the source id (topic prefix, engine name)
     * @param config   the source config
     * @param c        an open connection to the database (the tables are resolved as the preflight does)
     * @return the Debezium embedded-engine properties {@code PostgresReplicationSource} would start with
     * @throws SQLException when the tables cannot be resolved
     */
    public static Properties debeziumProperties(String sourceId, PostgresSourceConfig config, Connection c)
            throws SQLException {
        return DebeziumProperties.of(sourceId, config, Preflight.resolveTables(c, config), Mapping.engineProperties());
    }
}

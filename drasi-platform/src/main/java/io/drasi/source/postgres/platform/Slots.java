package io.drasi.source.postgres.platform;

import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.engine.Connections;
import io.drasi.source.postgres.engine.ReplicationSlots;
import io.drasi.source.postgres.model.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The replication-slot questions the reactivator asks itself over a plain JDBC connection: does the configured
 * slot exist (else a stored position belongs to an older slot), move it to a stored position, and drop it on
 * deprovision. The SQL itself is the adapter's ({@link ReplicationSlots}).
 *
 * <p>Thread-safety: stateless.
 */
final class Slots {

    private static final String APPLICATION = "platform";

    private Slots() {}

    /** @return true when the configured slot exists in the configured database */
    static boolean exists(PostgresSourceConfig config) throws SQLException {
        try (Connection c = open(config)) {
            return ReplicationSlots.confirmedFlush(c, config.slotName()).isPresent();
        }
    }

    /**
     * Moves the slot's {@code confirmed_flush_lsn} forward to {@code target} (never backwards), so that
     * PostgreSQL redelivers exactly the transactions committed after it. The slot must be inactive.
     *
     * @return the slot's confirmed_flush_lsn before the call, or empty when the slot does not exist
     */
    static Optional<Lsn> advanceTo(PostgresSourceConfig config, Lsn target) throws SQLException {
        try (Connection c = open(config)) {
            return ReplicationSlots.advance(c, config.slotName(), target);
        }
    }

    /**
     * Drops the slot and the publication when they exist; waits a few seconds for a walsender that is still
     * exiting to release the slot.
     *
     * @return true when the slot existed and was dropped
     */
    static boolean drop(PostgresSourceConfig config) throws SQLException {
        try (Connection c = open(config)) {
            boolean dropped = ReplicationSlots.drop(c, config.slotName());
            try (Statement st = c.createStatement()) {
                st.execute("drop publication if exists " + TableId.quote(config.publicationName()));
            }
            return dropped;
        }
    }

    /** @throws io.drasi.source.postgres.ConnectionFailedException naming the server and the fix */
    private static Connection open(PostgresSourceConfig config) {
        return Connections.open(Connections.settings(APPLICATION, config));
    }
}

package io.drasi.source.postgres.bootstrap;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens the two kinds of PostgreSQL connections the bootstrap needs. The adapter implements this
 * from its configuration (or uses {@link ConnectionSettings}); tests can implement it directly.
 *
 * <p>Implementations must return a NEW connection on every call; the caller closes it. Neither method
 * returns null. Thread-safety: implementations must be safe to call from several threads.
 */
public interface ConnectionFactory {

    /**
     * Opens an ordinary SQL connection to the source database (used to read the snapshot). The
     * bootstrap sets its own session settings, isolation and autocommit on it.
     *
     * @return a new open connection
     * @throws SQLException when the connection cannot be opened
     */
    Connection openConnection() throws SQLException;

    /**
     * Opens a logical replication connection to the source database: pgjdbc properties
     * {@code replication=database}, {@code assumeMinServerVersion=10}, {@code preferQueryMode=simple}
     * on top of the same credentials and TLS settings as {@link #openConnection()}.
     *
     * @return a new open replication connection (unwrappable to {@link org.postgresql.PGConnection})
     * @throws SQLException when the connection cannot be opened
     */
    Connection openReplicationConnection() throws SQLException;

    /**
     * @return where this factory connects, for messages and logs, e.g. {@code postgres@db:5432/shop};
     *         never contains the password
     */
    String describe();
}

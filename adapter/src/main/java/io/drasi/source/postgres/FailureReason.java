package io.drasi.source.postgres;

/**
 * Why a {@link PostgresReplicationSource} is {@link State#FAILED}: {@link SourceFailedException#reason()}.
 * Classified from PostgreSQL SQLSTATEs, exception types and the source's own catalog checks, never from
 * message text. Each reason carries the usual fix ({@link #fix()}); the exception's message adds the
 * specifics (slot, table, column, LSN).
 *
 * <p>Thread-safety: immutable.
 */
public enum FailureReason {
    /** The server refused the login (SQLSTATE 28P01, 28000). */
    AUTHENTICATION("check user and password, and that pg_hba.conf has an entry for this user, host and database"),
    /** The role lacks a privilege (SQLSTATE 42501). */
    PRIVILEGE("give the role REPLICATION (ALTER ROLE ... REPLICATION) and SELECT on every captured table; see"
            + " README, Least privilege"),
    /** PostgreSQL could not be reached at start (SQLSTATE class 08, socket errors, unknown database). */
    UNREACHABLE("check host, port and database, that the server runs and accepts TCP connections"
            + " (listen_addresses), and firewalls; a connection lost while streaming is retried on its own"),
    /** The TLS handshake or the certificate check failed. */
    TLS("check ssl_mode against the server (ssl = on) and ssl_root_cert: the CA must have signed the server"
            + " certificate, and verify-full needs a host name the certificate lists"),
    /** Another consumer holds the replication slot (SQLSTATE 55006). */
    SLOT_IN_USE("stop the other consumer of the slot, or give this source another slot_name"),
    /** PostgreSQL invalidated the slot (WAL it needed was removed): changes were lost. */
    SLOT_INVALIDATED("drop the slot (SELECT pg_drop_replication_slot('<slot>')), clear the offset store and start"
            + " with a bootstrap, or set on_slot_loss: resync to heal on its own; raise max_slot_wal_keep_size so it "
            + "does"
            + " not happen again"),
    /** The replication slot was dropped (or dropped and recreated) while streaming. */
    SLOT_MISSING("start again with a bootstrap (clear the offset store; the slot is recreated), or set"
            + " on_slot_loss: resync to heal on its own"),
    /** The publication was dropped while streaming. */
    PUBLICATION_MISSING("recreate the publication (CREATE PUBLICATION <name> FOR TABLE ...) and start again;"
            + " changes committed meanwhile are still in the slot"),
    /** A captured table does not exist (SQLSTATE 42P01) or was dropped during a bootstrap. */
    TABLE_MISSING("create the table, or remove it from tables"),
    /** The database is not ready (wal_level, keys, replica identity, ...): every problem is listed. */
    PREFLIGHT("fix every problem listed in the message, then start again"),
    /** A value of a change could not be converted or decoded; the position was not advanced past it. */
    UNMAPPABLE_VALUE("see the message for the column or LSN: change the value so it converts, or set"
            + " unmappable_values: text; the position stays before the change"),
    /** The {@link ChangeSink} threw: the batch was not acknowledged. */
    SINK("fix the sink (the cause is its exception); a restarted source delivers the unacknowledged batch again"),
    /** Anything else: a bug or an unexpected server answer. */
    INTERNAL("see the cause; start the source again (it resumes from the acknowledged position) and report it"
            + " if it repeats");

    private final String fix;

    FailureReason(String fix) {
        this.fix = fix;
    }

    /** @return the usual fix, for operators; never null */
    public String fix() {
        return fix;
    }
}

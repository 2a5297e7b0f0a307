package io.drasi.source.postgres;

/**
 * Lifecycle state of a {@link PostgresReplicationSource}.
 *
 * <pre>
 * CREATED → STARTING → RUNNING ⇄ RECONNECTING
 *                 ↘        ↘          ↘
 *                  FAILED   STOPPED    FAILED
 * </pre>
 * {@link #STOPPED} and {@link #FAILED} are terminal; a source is not restartable (create a new one with
 * the same config to resume from the stored position).
 */
public enum State {
    /** Constructed, {@code start} not called yet. */
    CREATED,
    /** Preflight checks and engine start-up running; no change delivered yet. */
    STARTING,
    /** Streaming: connected to the replication slot and delivering changes. */
    RUNNING,
    /** The connection was lost (server restart, walsender terminated, network); retrying with backoff. */
    RECONNECTING,
    /** Stopped by {@code stop()}/{@code close()}; the last acknowledged position is saved. */
    STOPPED,
    /** Stopped by an unrecoverable error; see {@link PostgresReplicationSource#failure()}. */
    FAILED;

    /** @return true for {@link #STOPPED} and {@link #FAILED} */
    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }
}

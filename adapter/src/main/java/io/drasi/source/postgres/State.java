package io.drasi.source.postgres;

/**
 * Lifecycle state of a {@link PostgresReplicationSource}. Every transition is a compare-and-set, so
 * {@link PostgresReplicationSource#state()} never reports a state the source has left:
 *
 * <pre>
 * CREATED ─start─→ STARTING ─→ RUNNING ⇄ RECONNECTING
 *    │               │  ↑ ↓        │           │
 *    │               │ BOOTSTRAPPING (first start with a bootstrap; back to STARTING when it is complete)
 *    │               ↓             ↓           ↓
 *    │             FAILED ←──── (any non-terminal state on an unrecoverable error)
 *    └─close()──→ STOPPING ←─close()─ (any non-terminal state) ─→ STOPPED
 * </pre>
 * {@link #STOPPED} and {@link #FAILED} are terminal; a source is not restartable (create a new one with
 * the same config to resume from the stored position). A failure found by the source's own checks while
 * the engine runs (slot or publication gone) passes through {@link #STOPPING} while the engine stops, then
 * ends in {@link #FAILED}; an error during a stop that {@code close()} requested ends in {@link #STOPPED}.
 */
public enum State {
    /** Constructed, {@code start} not called yet. */
    CREATED,
    /** Preflight checks and engine start-up running; no change delivered yet. */
    STARTING,
    /** First start with a bootstrap: the snapshot is being read and delivered on the caller's thread. */
    BOOTSTRAPPING,
    /** Streaming: connected to the replication slot and delivering changes. */
    RUNNING,
    /** The connection was lost (server restart, walsender terminated, network); retrying with backoff. */
    RECONNECTING,
    /** {@code close()} (or a failure) is stopping the engine, cancelling bootstraps and saving the position. */
    STOPPING,
    /** Stopped by {@code stop()}/{@code close()}; the engine thread has ended, the acknowledged position is saved. */
    STOPPED,
    /** Stopped by an unrecoverable error; see {@link PostgresReplicationSource#failure()}. */
    FAILED;

    /** @return true for {@link #STOPPED} and {@link #FAILED} */
    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }
}

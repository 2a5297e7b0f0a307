package io.drasi.source.postgres.engine;

import io.debezium.engine.spi.OffsetCommitPolicy;
import java.time.Duration;

/**
 * Commits offsets (offset store and the slot's confirmed LSN) when acknowledged records are pending and
 * {@code offset_flush_interval} has passed. Debezium's periodic policy with interval 0 would also flush after
 * every EMPTY poll, on the polling thread, outside the sink; the engine's close
 * interrupts that thread, and an interrupted LSN flush is logged at WARN. Committing only when something was
 * acknowledged keeps the same positions and makes a requested stop quiet. The final commit when the engine
 * stops is unaffected.
 *
 * <p>Thread-safety: immutable.
 */
public final class AcknowledgedCommitPolicy implements OffsetCommitPolicy {

    private final Duration interval;

    public AcknowledgedCommitPolicy(Duration interval) {
        this.interval = interval;
    }

    @Override
    public boolean performCommit(long numberOfMessagesSinceLastCommit, Duration timeSinceLastCommit) {
        return numberOfMessagesSinceLastCommit > 0 && timeSinceLastCommit.compareTo(interval) >= 0;
    }
}

package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.SourceStats;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.core.Lsn;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Counters behind {@link SourceStats}; written by the delivery thread, read by any thread. */
public final class StatsCounter {

    private final Clock clock;
    private long changes;
    private long transactions;
    private long batches;
    private Lsn lastLsn = Lsn.INVALID;
    private Lsn lastCommitLsn = Lsn.INVALID;
    private Instant lastCommitTime;
    private long lagMillis = -1;
    private long reconnects;
    private long unmappableValues;
    private long inserts;
    private long updates;
    private long deletes;
    private long truncates;
    private long relationChanges;
    private final java.util.Map<String, Long> bootstrapRows = new java.util.TreeMap<>();

    public StatsCounter(Clock clock) {
        this.clock = clock;
    }

    synchronized void acknowledged(List<PositionedChange> delivered, long commits, Lsn commitLsn, Instant commitTime) {
        batches++;
        changes += delivered.size();
        for (PositionedChange pc : delivered) {
            pc.change().fold(i -> inserts++, u -> updates++, d -> deletes++, t -> truncates++, r -> relationChanges++);
        }
        transactions += commits;
        if (!delivered.isEmpty()) {
            lastLsn = delivered.get(delivered.size() - 1).position().lsn();
        }
        if (commitLsn != null) {
            lastCommitLsn = commitLsn;
        }
        if (commitTime != null) {
            lastCommitTime = commitTime;
            lagMillis = Math.max(0, clock.millis() - commitTime.toEpochMilli());
        }
    }

    /** Changes of a resync (on_slot_loss: resync) the sink acknowledged: counted as changes, no stream position. */
    synchronized void resyncAcknowledged(List<PositionedChange> delivered) {
        batches++;
        changes += delivered.size();
        for (PositionedChange pc : delivered) {
            pc.change().fold(i -> inserts++, u -> updates++, d -> deletes++, t -> truncates++, r -> relationChanges++);
        }
    }

    /** Bootstrap rows the sink acknowledged, per table (the node's label); relations are not rows. */
    public synchronized void bootstrapAcknowledged(List<PositionedChange> rows) {
        for (PositionedChange pc : rows) {
            pc.change()
                    .node()
                    .ifPresent(n -> bootstrapRows.merge(
                            n.metadata().labels().isEmpty()
                                    ? "?"
                                    : n.metadata().labels().get(0),
                            1L,
                            Long::sum));
        }
    }

    synchronized void unmappableValue() {
        unmappableValues++;
    }

    public synchronized void reconnected() {
        reconnects++;
    }

    public synchronized SourceStats snapshot(State state) {
        return new SourceStats(
                state,
                changes,
                transactions,
                batches,
                lastLsn,
                lastCommitLsn,
                lastCommitTime,
                lagMillis,
                reconnects,
                unmappableValues,
                inserts,
                updates,
                deletes,
                truncates,
                relationChanges,
                java.util.Map.copyOf(bootstrapRows));
    }
}

package io.drasi.source.postgres;

import io.drasi.source.postgres.core.Lsn;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** Counters behind {@link SourceStats}; written by the delivery thread, read by any thread. */
final class StatsCounter {

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

    StatsCounter(Clock clock) {
        this.clock = clock;
    }

    synchronized void acknowledged(List<PositionedChange> delivered, long commits, Lsn commitLsn, Instant commitTime) {
        batches++;
        changes += delivered.size();
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

    synchronized void unmappableValue() {
        unmappableValues++;
    }

    synchronized void reconnected() {
        reconnects++;
    }

    synchronized SourceStats snapshot(State state) {
        return new SourceStats(state, changes, transactions, batches, lastLsn, lastCommitLsn, lastCommitTime, lagMillis,
                reconnects, unmappableValues);
    }
}

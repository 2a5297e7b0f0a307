package io.drasi.source.postgres;

import io.drasi.source.postgres.core.Lsn;
import java.util.Objects;

/**
 * Where a change sits in the replication stream. Positions of delivered changes strictly increase in
 * delivery order, across restarts of the source too, so a sink that stores the last position it applied
 * can drop anything at or below it after a crash and so turn the at-least-once delivery into
 * exactly-once. This holds with a durable offset store (the default file store): with {@code memory}
 * offsets a restart resumes from the slot, the first transaction's predecessor is then taken as the slot's
 * confirmed position, and a transaction that was only partly acknowledged before a crash is re-sent with
 * positions that sort after the ones already seen — dedupe by position is then not exact.
 *
 * <p>Order is lexicographic on ({@link #previousCommitLsn}, {@link #lsn}, {@link #ordinal}): transactions
 * arrive in commit order, each identified by the commit LSN of the transaction before it (PostgreSQL
 * interleaves transactions in the WAL, so a change's own LSN alone is not monotonic across transactions);
 * within a transaction the change LSN increases; {@code ordinal} separates the changes that share one
 * WAL record (a key change yields Delete + Insert).
 *
 * @param txId              PostgreSQL transaction id
 * @param previousCommitLsn commit LSN of the transaction delivered before this one (for the first one after
 *                          a start without stored offsets: the slot's confirmed position); never null
 * @param lsn               LSN of this change's WAL record; never null
 * @param ordinal           0 for the first change of a WAL record, 1 for the second; for bootstrap rows
 *                          the row's index in the bootstrap
 */
public record ChangePosition(long txId, Lsn previousCommitLsn, Lsn lsn, long ordinal)
        implements Comparable<ChangePosition> {

    /** Validates non-null components. */
    public ChangePosition {
        Objects.requireNonNull(previousCommitLsn, "previousCommitLsn");
        Objects.requireNonNull(lsn, "lsn");
    }

    /**
     * @param rowIndex index of the row in the bootstrap (0-based)
     * @return the position of a bootstrap row: before every streamed change of the slot the bootstrap
     *         created (bootstrap rows have no WAL position; transaction id 0)
     */
    public static ChangePosition bootstrapRow(long rowIndex) {
        return new ChangePosition(0L, Lsn.INVALID, Lsn.INVALID, rowIndex);
    }

    /**
     * @param consistentPoint the consistent point of the new slot a resync ({@code on_slot_loss: resync}) read; for
     *                        rows delivered at a later start before the stream (an added table's bootstrap, a removed
     *                        table's Deletes): the commit LSN the slot's stream was delivered up to
     * @param index           index of the change among those delivered at that point (0-based)
     * @return the position of such a change: after every change streamed before, before every change the slot
     *         streams next (no WAL position; transaction id 0; {@link #isBootstrap()} is true)
     */
    public static ChangePosition resyncRow(Lsn consistentPoint, long index) {
        return new ChangePosition(0L, consistentPoint, Lsn.INVALID, index);
    }

    /** @return true for a bootstrap row's position (see {@link #bootstrapRow(long)}) */
    public boolean isBootstrap() {
        return !lsn.isValid();
    }

    @Override
    public int compareTo(ChangePosition o) {
        int c = previousCommitLsn.compareTo(o.previousCommitLsn);
        if (c != 0) {
            return c;
        }
        c = lsn.compareTo(o.lsn);
        return c != 0 ? c : Long.compare(ordinal, o.ordinal);
    }

    /** @return a compact text form {@code prevCommit/lsn/ordinal}, e.g. {@code 0/16B3748:0/16B37A0:0} */
    @Override
    public String toString() {
        return previousCommitLsn + ":" + lsn + ":" + ordinal;
    }
}

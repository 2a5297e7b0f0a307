package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.core.Lsn;
import java.util.Objects;

/**
 * Decides, for a bootstrap taken while streaming already runs (a temporary {@link SnapshotSlot}),
 * which stream changes a subscriber must still receive after the bootstrap rows: exactly those of
 * transactions whose <b>commit end LSN</b> is greater than the snapshot's consistent point. Every
 * other transaction is already contained in the snapshot. (Drasi contract §5 and §7.)
 *
 * <p>Use the transaction's commit end LSN, never the change's own LSN: a transaction that began
 * before the consistent point and committed after it has changes with LSNs below the point, and
 * they are NOT in the snapshot; filtering by the change LSN loses them. With Debezium, the commit
 * end LSN is the {@code lsn} in the {@code sourceOffset()} of the transaction's END record
 * ({@code provide.transaction.metadata=true}); with raw pgoutput it is the COMMIT message's
 * {@code end_lsn} (the BEGIN message's {@code final_lsn} is the commit record's start and compares the
 * same way: start at or above the point iff end above it).
 *
 * <p>How a host serves a query that subscribes while the source streams:
 * <ol>
 * <li>Create a temporary slot ({@link SnapshotSlot#createTemporary}) and keep streaming to the other
 *     queries. From now on, queue the stream's transactions for the new query (or hold the query's
 *     stream until step 3).</li>
 * <li>Deliver the bootstrap rows to the new query ({@link BootstrapProvider#bootstrap}).</li>
 * <li>Then deliver the queued and all later transactions to it, dropping every transaction for which
 *     {@link #belongsAfterSnapshot(Lsn)} is false. Transactions arrive in commit order, so once one
 *     passes, all later ones pass and the filter can be removed ({@link #isSettledBy(Lsn)}).</li>
 * </ol>
 *
 * <p>Thread-safety: immutable. Nullability: no null arguments, no null results.
 */
public final class HandoverFilter {

    private final Lsn consistentPoint;
    private final TransactionSnapshot snapshot; // null when only the consistent point is known

    private HandoverFilter(Lsn consistentPoint, TransactionSnapshot snapshot) {
        this.consistentPoint = Objects.requireNonNull(consistentPoint, "consistentPoint");
        if (!consistentPoint.isValid()) {
            throw new IllegalArgumentException("the consistent point must be a valid LSN, not 0/0");
        }
        this.snapshot = snapshot;
    }

    /**
     * @param consistentPoint the temporary slot's consistent point ({@link SnapshotSlot#consistentPoint()}
     *                        or {@link BootstrapResult#consistentPoint()})
     * @return the filter
     */
    public static HandoverFilter after(Lsn consistentPoint) {
        return new HandoverFilter(consistentPoint, null);
    }

    /**
     * A filter that can also decide per change, before its transaction's commit is seen
     * ({@link #belongsAfterSnapshot(long, Lsn)}).
     *
     * @param consistentPoint the slot's consistent point
     * @param snapshot        the transactions the slot's exported snapshot sees ({@link BootstrapResult#snapshot()})
     * @return the filter
     */
    public static HandoverFilter after(Lsn consistentPoint, TransactionSnapshot snapshot) {
        return new HandoverFilter(consistentPoint, Objects.requireNonNull(snapshot, "snapshot"));
    }

    /**
     * Reads {@link #toString()}'s form back.
     *
     * @param text {@code commit end LSN > <point>} optionally followed by {@code , snapshot <xmin:xmax:xip>}
     * @return the filter
     * @throws IllegalArgumentException when the text is not in that form
     */
    public static HandoverFilter parse(String text) {
        String body = text.strip();
        if (!body.startsWith(PREFIX) || !body.endsWith("]")) {
            throw new IllegalArgumentException("not a hand-over filter: '" + text + "'");
        }
        body = body.substring(PREFIX.length(), body.length() - 1);
        int comma = body.indexOf(SNAPSHOT);
        return comma < 0
                ? after(Lsn.parse(body))
                : after(
                        Lsn.parse(body.substring(0, comma)),
                        TransactionSnapshot.parse(body.substring(comma + SNAPSHOT.length())));
    }

    private static final String PREFIX = "HandoverFilter[commit end LSN > ";
    private static final String SNAPSHOT = ", snapshot ";

    /** @return the snapshot's consistent point */
    public Lsn consistentPoint() {
        return consistentPoint;
    }

    /**
     * @param commitEndLsn the commit end LSN of the transaction the change belongs to
     * @return true when the transaction is NOT in the snapshot and must be delivered after it
     */
    public boolean belongsAfterSnapshot(Lsn commitEndLsn) {
        return commitEndLsn.isAfter(consistentPoint);
    }

    /**
     * @param lastDeliveredCommitEndLsn commit end LSN of the last transaction the stream delivered
     * @return true when that transaction already passed the filter, so (commit order) every later one
     *         will too and the filter is no longer needed
     */
    public boolean isSettledBy(Lsn lastDeliveredCommitEndLsn) {
        return belongsAfterSnapshot(lastDeliveredCommitEndLsn);
    }

    /**
     * The same decision for one change, when its transaction's commit end LSN is not known yet (Debezium's
     * pgoutput decoder reads the BEGIN message's final LSN but does not pass it on; the commit comes after the
     * data): a change whose own LSN is above the point belongs to a transaction that commits after it; any other
     * change belongs after the snapshot exactly when the snapshot does not see its transaction as committed (the
     * exported snapshot sees exactly the transactions with commit end LSN at or below the point).
     *
     * @param txId      the change's top-level transaction id ({@code source.txId}, 32 bits)
     * @param changeLsn the change's own LSN
     * @return true when the change is NOT in the snapshot and must be delivered after it
     * @throws IllegalStateException when the filter was made without the snapshot ({@link #after(Lsn)})
     */
    public boolean belongsAfterSnapshot(long txId, Lsn changeLsn) {
        if (changeLsn.isAfter(consistentPoint)) {
            return true;
        }
        if (snapshot == null) {
            throw new IllegalStateException("this filter knows only the consistent point; decide per transaction"
                    + " with belongsAfterSnapshot(commitEndLsn), or make it with after(point, snapshot)");
        }
        return !snapshot.sees(txId);
    }

    /** @return {@code HandoverFilter[commit end LSN > <point>]}, with {@code , snapshot <xmin:xmax:xip>} if known */
    @Override
    public String toString() {
        return PREFIX + consistentPoint + (snapshot == null ? "" : SNAPSHOT + snapshot) + "]";
    }
}

package io.drasi.source.postgres.bootstrap;

import java.util.Arrays;
import java.util.Objects;

/**
 * Which transactions an MVCC snapshot sees, as PostgreSQL's {@code txid_current_snapshot()} writes it
 * ({@code xmin:xmax:xip,...}, 64-bit transaction ids with epoch): committed before the snapshot = below {@code xmin},
 * or below {@code xmax} and not in the in-progress list. Read inside a bootstrap's transaction after it imported a
 * slot's exported snapshot, it says for each transaction of the stream whether its rows are in the bootstrap:
 * exactly the transactions that committed before the slot's consistent point (Drasi contract §5).
 *
 * <p>Thread-safety: immutable. Nullability: no null arguments or results.
 */
public final class TransactionSnapshot {

    private final long xmin;
    private final long xmax;
    private final long[] inProgress;

    private TransactionSnapshot(long xmin, long xmax, long[] inProgress) {
        if (xmin > xmax) {
            throw new IllegalArgumentException("snapshot xmin " + xmin + " is above xmax " + xmax);
        }
        this.xmin = xmin;
        this.xmax = xmax;
        this.inProgress = inProgress;
        Arrays.sort(this.inProgress);
    }

    /**
     * @param text {@code xmin:xmax:xip1,xip2,...} (the in-progress list may be empty)
     * @return the snapshot
     * @throws IllegalArgumentException when the text is not in that form
     */
    public static TransactionSnapshot parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.strip().split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a transaction snapshot (xmin:xmax:xip,...): '" + text + "'");
        }
        try {
            long[] xip = parts[2].isEmpty()
                    ? new long[0]
                    : Arrays.stream(parts[2].split(","))
                            .mapToLong(Long::parseLong)
                            .toArray();
            return new TransactionSnapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a transaction snapshot (xmin:xmax:xip,...): '" + text + "'", e);
        }
    }

    /**
     * @param xid a top-level transaction id as the replication stream carries it (32 bits, no epoch), from a
     *            transaction less than 2^31 transactions away from this snapshot
     * @return true when the snapshot sees the transaction as committed (its changes are in the bootstrap rows)
     */
    public boolean sees(long xid) {
        long full = xmax + (int) (xid - xmax); // the 64-bit id nearest to xmax with these low 32 bits
        return full < xmin || (full < xmax && Arrays.binarySearch(inProgress, full) < 0);
    }

    /** @return the text form {@code xmin:xmax:xip,...}, as {@link #parse} reads it */
    @Override
    public String toString() {
        StringBuilder sb =
                new StringBuilder().append(xmin).append(':').append(xmax).append(':');
        for (int i = 0; i < inProgress.length; i++) {
            sb.append(i == 0 ? "" : ",").append(inProgress[i]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransactionSnapshot s
                && s.xmin == xmin
                && s.xmax == xmax
                && Arrays.equals(s.inProgress, inProgress);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(xmin) * 31 + Long.hashCode(xmax);
    }
}

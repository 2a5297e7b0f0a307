package io.drasi.source.postgres.core;

import java.util.Objects;

/**
 * A PostgreSQL write-ahead-log position (log sequence number), an unsigned 64-bit value rendered by
 * PostgreSQL as two hexadecimal halves, e.g. {@code 0/16B3748}.
 *
 * <p>Ordering is unsigned. {@link #INVALID} ({@code 0/0}) means "no position".
 *
 * <p>Thread-safety: immutable value class. Nullability: factory methods never return null and reject
 * null input.
 */
public final class Lsn implements Comparable<Lsn> {

    /** The invalid position {@code 0/0}. */
    public static final Lsn INVALID = new Lsn(0L);

    private final long value;

    private Lsn(long value) {
        this.value = value;
    }

    /**
     * @param value the raw 64-bit position (treated as unsigned)
     * @return the position
     */
    public static Lsn of(long value) {
        return value == 0L ? INVALID : new Lsn(value);
    }

    /**
     * Parses PostgreSQL's text form {@code XXXXXXXX/XXXXXXXX}.
     *
     * @param text e.g. {@code 0/16B3748}; never null
     * @return the position
     * @throws IllegalArgumentException when the text is not an LSN
     */
    public static Lsn parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not a PostgreSQL LSN (expected e.g. 0/16B3748): '" + text + "'");
        }
        try {
            long hi = Long.parseLong(text.substring(0, slash), 16);
            long lo = Long.parseLong(text.substring(slash + 1), 16);
            return of((hi << 32) | lo);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a PostgreSQL LSN (expected e.g. 0/16B3748): '" + text + "'", e);
        }
    }

    /** @return the raw 64-bit value (unsigned) */
    public long asLong() {
        return value;
    }

    /** @return true unless this is {@link #INVALID} */
    public boolean isValid() {
        return value != 0L;
    }

    /**
     * @param other the position to compare with; never null
     * @return true if this position is strictly after {@code other}
     */
    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lsn l && l.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /** @return PostgreSQL's text form, e.g. {@code 0/16B3748} */
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/"
                + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}

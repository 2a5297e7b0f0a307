package io.drasi.source.postgres.mapping.value;

/**
 * What happens to a column value the value table cannot convert (a type or value this version does not
 * handle): the configuration key {@code unmappable_values}.
 *
 * <p>Thread-safety: immutable enum.
 */
public enum UnmappableValues {
    /**
     * The default: the change is not delivered and the source fails with an {@link UnmappableValueException}
     * naming the column, its type, the position and the fix; the position is not advanced past the change, so a
     * restart (after an upgrade, or with {@link #TEXT}) resumes there.
     */
    FAIL("fail"),
    /**
     * Deliver the value as a string holding PostgreSQL's text form (as far as the stream still has it), warn once
     * per column and count it; the change is delivered.
     */
    TEXT("text");

    private final String value;

    UnmappableValues(String value) {
        this.value = value;
    }

    /** @return the configuration spelling, {@code fail} or {@code text}; never null */
    public String value() {
        return value;
    }
}

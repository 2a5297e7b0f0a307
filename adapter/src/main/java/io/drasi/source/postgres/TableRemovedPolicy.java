package io.drasi.source.postgres;

/**
 * What the consumer is told about a table that was captured before and is no longer in {@code tables} at a
 * start: the table always leaves the publication (when the role may) and its changes stop.
 *
 * <ul>
 *   <li>{@link #KEEP} (default) – nothing more: the consumer keeps the table's elements it has.</li>
 *   <li>{@link #DELETE} – the source emits a Delete for every element of the table the consumer holds (the element
 *   ids it acknowledged, kept durably beside the offset store, as for {@link SlotLossPolicy#RESYNC}), through the
 *   sink like any change, before streaming starts. Needs a file {@code offset_store}.</li>
 * </ul>
 *
 * <p>Thread-safety: immutable enum.
 */
public enum TableRemovedPolicy {
    /** The consumer keeps the removed table's elements. */
    KEEP("keep"),
    /** A Delete for every element of the removed table the consumer holds. */
    DELETE("delete");

    private final String value;

    TableRemovedPolicy(String value) {
        this.value = value;
    }

    /** @return the configuration spelling ({@code keep} or {@code delete}); never null */
    public String value() {
        return value;
    }

    /** @return {@link #value()} */
    @Override
    public String toString() {
        return value;
    }
}

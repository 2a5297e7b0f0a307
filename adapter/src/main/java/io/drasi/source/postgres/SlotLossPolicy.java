package io.drasi.source.postgres;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What the source does when its replication slot is gone (missing at a start that has a stored position,
 * dropped while streaming) or invalidated by PostgreSQL ({@code max_slot_wal_keep_size}): the changes
 * since the last acknowledged position are lost from the WAL.
 *
 * <ul>
 *   <li>{@link #FAIL} (default) – the source goes {@code FAILED} ({@link FailureReason#SLOT_MISSING} or
 *   {@link FailureReason#SLOT_INVALIDATED}) naming the fix.</li>
 *   <li>{@link #RESYNC} – the source creates a new slot with an exported snapshot, compares every current
 *   row with the element ids it delivered and the consumer acknowledged (kept durably beside the offset
 *   store), emits Insert / Update / Delete so that the consumer's state equals the tables, and streams on
 *   from the new slot's consistent point (no gap, no overlap). Needs a file {@code offset_store}.</li>
 * </ul>
 *
 * <p>Thread-safety: immutable enum.
 */
public enum SlotLossPolicy {
    /** Fail the source, naming the fix. */
    FAIL("fail"),
    /** Re-read the tables through a new slot and emit the difference to what the consumer holds. */
    RESYNC("resync");

    private final String value;

    SlotLossPolicy(String value) {
        this.value = value;
    }

    /** @return the configuration spelling ({@code fail} or {@code resync}); never null */
    public String value() {
        return value;
    }

    /**
     * @param text a value as written in configuration; may be null
     * @return the policy, or empty when the text names none (case-insensitive, surrounding blanks ignored)
     */
    public static Optional<SlotLossPolicy> find(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String norm = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.value.equals(norm)).findFirst();
    }

    /** @return {@link #value()} */
    @Override
    public String toString() {
        return value;
    }
}

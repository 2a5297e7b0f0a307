package io.drasi.source.postgres.mapping;

import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.util.List;
import java.util.Set;

/**
 * The result of mapping one Debezium record: what kind of record it was, the Drasi changes it
 * yields (0..n, in order) and the source position fields the adapter needs.
 *
 * <p>Thread-safety: immutable value. Nullability: {@code kind}, {@code changes} and
 * {@code unavailableProperties} are never null; {@code table} is null for heartbeat, tombstone and
 * transaction records; the position fields are null when the record does not carry them.
 *
 * @param kind                  what the record was
 * @param table                 the table the record is about, or null
 * @param changes               the Drasi changes, in order (a key change yields Delete then Insert)
 * @param unavailableProperties columns (in column order) whose value was Debezium's unchanged-TOAST placeholder: they
 * are
 *                              left out of the Insert/Update node; the adapter must fill them (or fail)
 * @param lsn                   {@code source.lsn}: the LSN of this change (not of its commit), or null
 * @param txId                  {@code source.txId} (for transaction records: parsed from the transaction id), or null
 * @param tsMs                  {@code source.ts_ms}: the commit time in ms, or null
 * @param commitLsn             for {@link Kind#TX_END}: the transaction's commit end LSN from the record's
 *                              source offset ({@code lsn}), else null
 * @param transactionId         for transaction records: Debezium's transaction id ({@code txId:lsn}), else null
 */
public record MappedRecord(
        Kind kind,
        TableId table,
        List<SourceChange> changes,
        Set<String> unavailableProperties,
        Long lsn,
        Long txId,
        Long tsMs,
        Long commitLsn,
        String transactionId) {

    /** What kind of Debezium record was mapped. */
    public enum Kind {
        /** A row change (insert, read/snapshot, update, delete); {@code changes} holds 1 or 2 changes. */
        DATA,
        /** A TRUNCATE; {@code changes} holds one {@link SourceChange.Truncate}. */
        TRUNCATE,
        /** A tombstone (null value) that follows a delete; no changes. */
        TOMBSTONE,
        /** A Debezium heartbeat record; no changes. */
        HEARTBEAT,
        /** A transaction BEGIN metadata record; no changes. */
        TX_BEGIN,
        /** A transaction END metadata record; no changes; {@code commitLsn} set when available. */
        TX_END,
        /** A logical decoding message ({@code op = m}); no changes. */
        MESSAGE
    }

    /** Copies the collections. */
    public MappedRecord {
        java.util.Objects.requireNonNull(kind, "kind");
        changes = List.copyOf(changes);
        unavailableProperties = unavailableProperties.isEmpty()
                ? Set.of()
                : java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(unavailableProperties));
    }

    static MappedRecord signal(Kind kind, Long lsn, Long txId, Long tsMs, Long commitLsn, String transactionId) {
        return new MappedRecord(kind, null, List.of(), Set.of(), lsn, txId, tsMs, commitLsn, transactionId);
    }
}

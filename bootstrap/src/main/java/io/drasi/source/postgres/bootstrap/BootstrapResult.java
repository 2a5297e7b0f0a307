package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.model.TableId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a completed bootstrap delivered and where the stream must continue.
 *
 * <p>Thread-safety: immutable. Nullability: no component is null.
 *
 * @param slotName        the slot whose snapshot was read
 * @param temporarySlot   true when that slot was temporary (later bootstrap; filter the stream with
 *                        {@link HandoverFilter#after(Lsn) HandoverFilter.after(consistentPoint)})
 * @param consistentPoint the snapshot's consistent point: the rows reflect exactly the transactions
 *                        with commit end LSN at or below it
 * @param effectiveFromMs the {@code effective_from} given to every row (ms since the epoch)
 * @param snapshot        the transactions the snapshot sees (read in the bootstrap's transaction)
 * @param tables          per table, in the order read
 * @param elapsed         wall time of the read
 */
public record BootstrapResult(
        String slotName,
        boolean temporarySlot,
        Lsn consistentPoint,
        long effectiveFromMs,
        TransactionSnapshot snapshot,
        List<TableResult> tables,
        Duration elapsed) {

    /** Copies the list and checks for nulls. */
    public BootstrapResult {
        Objects.requireNonNull(slotName, "slotName");
        Objects.requireNonNull(consistentPoint, "consistentPoint");
        Objects.requireNonNull(snapshot, "snapshot");
        tables = List.copyOf(tables);
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** @return rows delivered over all tables */
    public long totalRows() {
        return tables.stream().mapToLong(TableResult::rows).sum();
    }

    /** @return a filter for the stream of a later bootstrap (meaningful when {@link #temporarySlot()}) */
    public HandoverFilter handoverFilter() {
        return HandoverFilter.after(consistentPoint, snapshot);
    }

    /**
     * @param table   schema-qualified table
     * @param rows    rows delivered
     * @param elapsed time spent on the table
     */
    public record TableResult(TableId table, long rows, Duration elapsed) {}
}

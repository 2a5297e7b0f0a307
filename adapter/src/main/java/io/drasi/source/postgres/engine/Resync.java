package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.bootstrap.BootstrapSink;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The difference between a new slot's snapshot and what the consumer holds ({@link HeldElements}), as changes:
 * for each snapshot row an Insert when the consumer does not hold the element, an Update when it holds other
 * properties, nothing when it holds the same ones; then ({@link #finish}) a Delete for every held element of a
 * configured table the snapshot did not have. Batches of at most {@code maxBatch} go to the sink; each is
 * applied to the held ids once the sink returned, so an interrupted resync leaves them equal to what the consumer
 * holds and the next start resyncs again.
 *
 * <p>Positions: {@link ChangePosition#resyncRow}, after the lost slot's stream and before the new slot's.
 *
 * <p>Thread-safety: one thread (the caller of the resync).
 */
public final class Resync implements BootstrapSink {

    private final String sourceId;
    private final HeldElements held;
    private final ChangeSink sink;
    private final StatsCounter stats;
    private final Lsn consistentPoint;
    private final int maxBatch;
    private final Set<String> tablePrefixes;
    private List<PositionedChange> batch;
    private long index;
    private long inserted;
    private long updated;
    private long unchanged;
    private long deleted;

    /**
     * @param tables          the configured tables: only their held elements can be deleted
     * @param consistentPoint the new slot's consistent point (at a start without a resync: the commit LSN the slot's
     *                        stream has delivered up to)
     * @param firstIndex      index of the first change (changes delivered earlier at the same start take the ones
     *                        before)
     */
    public Resync(
            String sourceId,
            HeldElements held,
            ChangeSink sink,
            StatsCounter stats,
            Collection<TableId> tables,
            Lsn consistentPoint,
            long firstIndex,
            int maxBatch) {
        this.sourceId = sourceId;
        this.held = held;
        this.sink = sink;
        this.stats = stats;
        this.consistentPoint = consistentPoint;
        this.index = firstIndex;
        this.maxBatch = maxBatch;
        this.tablePrefixes = tables.stream().map(ElementId::prefix).collect(Collectors.toSet());
        this.batch = new ArrayList<>(maxBatch);
    }

    /** One snapshot row. */
    @Override
    public void accept(SourceChange.Insert row) {
        String id = row.element().metadata().elementId().value();
        Long had = held.hashOf(id);
        held.seen(id);
        if (had == null) {
            inserted++;
            emit(row);
        } else if (had != HeldElements.hash(row.element().properties())) {
            updated++;
            emit(new SourceChange.Update(row.element()));
        } else {
            unchanged++;
        }
    }

    /**
     * Delivers what is left of the snapshot's changes, then a Delete for every held element of a configured table
     * that the snapshot did not have.
     *
     * @param effectiveFromMs the Deletes' {@code effective_from} (the snapshot rows')
     */
    public void finish(long effectiveFromMs) {
        flush();
        held.forEachUnseen(id -> {
            ElementId element = ElementId.parse(id);
            if (!tablePrefixes.contains(ElementId.prefix(TableId.of(element.schema(), element.table())))) {
                return; // a table no longer configured: its elements are left alone (on_table_removed)
            }
            delete(element, effectiveFromMs);
        });
        flush();
    }

    /**
     * {@code on_table_removed: delete}: a Delete for every held element of a table that is not configured (its
     * id prefix is not one of the configured tables'), delivered and acknowledged in batches like the rest.
     *
     * @param effectiveFromMs the Deletes' {@code effective_from}
     * @return per removed table ({@code schema.table}), the Deletes emitted; empty when the consumer holds no
     *         element of an unconfigured table
     */
    public Map<String, Long> deleteUnconfiguredTables(long effectiveFromMs) {
        Map<String, Long> perTable = new LinkedHashMap<>();
        for (String prefix : held.tablePrefixes()) {
            if (tablePrefixes.contains(prefix)) {
                continue;
            }
            long before = deleted;
            String[] table = new String[1];
            held.forEachWithPrefix(prefix, id -> {
                ElementId element = ElementId.parse(id);
                table[0] = element.tableId().toString();
                delete(element, effectiveFromMs);
            });
            if (table[0] != null) {
                perTable.put(table[0], deleted - before);
            }
        }
        flush();
        return perTable;
    }

    private void delete(ElementId element, long effectiveFromMs) {
        deleted++;
        emit(new SourceChange.Delete(
                new ElementMetadata(element, sourceId, List.of(element.table()), effectiveFromMs)));
    }

    private void emit(SourceChange change) {
        batch.add(new PositionedChange(change, ChangePosition.resyncRow(consistentPoint, index++)));
        if (batch.size() >= maxBatch) {
            flush();
        }
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<PositionedChange> out = batch;
        batch = new ArrayList<>(maxBatch);
        BootstrapBatcher.deliver(sink, out);
        held.acknowledged(out);
        stats.resyncAcknowledged(out);
    }

    /** @return {@code inserted i, updated u, deleted d, unchanged n} */
    public String counts() {
        return "inserted " + inserted + ", updated " + updated + ", deleted " + deleted + ", unchanged " + unchanged;
    }

    /** @return Inserts emitted */
    public long inserted() {
        return inserted;
    }

    /** @return Updates emitted */
    public long updated() {
        return updated;
    }

    /** @return Deletes emitted */
    public long deleted() {
        return deleted;
    }

    /** @return snapshot rows the consumer already held unchanged (nothing emitted) */
    public long unchanged() {
        return unchanged;
    }
}

package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.bootstrap.BootstrapSink;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.model.SourceChange;
import java.util.ArrayList;
import java.util.List;

/**
 * Adapts bootstrap rows to a {@link ChangeSink}: batches of at most {@code maxBatch}. Positions: {@link
 * ChangePosition#bootstrapRow} for the first bootstrap of a slot (before all it streams), else {@link
 * ChangePosition#resyncRow} after {@code after} (rows delivered at a later start, between what the slot streamed
 * before and what it streams next).
 */
public final class BootstrapBatcher implements BootstrapSink {

    private final ChangeSink sink;
    private final int maxBatch;
    private final Lsn after;
    private List<PositionedChange> batch;
    private long rows;

    /**
     * @param after    {@link Lsn#INVALID} for a slot's first bootstrap; else the commit LSN the slot's stream has
     *                 delivered up to (positions sort after everything delivered before, before the next stream)
     */
    public BootstrapBatcher(ChangeSink sink, int maxBatch, Lsn after) {
        this.sink = sink;
        this.maxBatch = maxBatch;
        this.after = after;
        this.batch = new ArrayList<>(maxBatch);
    }

    @Override
    public void accept(SourceChange.Insert insert) {
        add(insert);
    }

    @Override
    public void acceptRelation(SourceChange.RelationInsert relation) {
        add(relation);
    }

    private void add(SourceChange change) {
        long row = rows++;
        batch.add(new PositionedChange(
                change, after.isValid() ? ChangePosition.resyncRow(after, row) : ChangePosition.bootstrapRow(row)));
        if (batch.size() >= maxBatch) {
            flush();
        }
    }

    /** @return the index the next row would take */
    public long nextRow() {
        return rows;
    }

    public void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<PositionedChange> out = batch;
        batch = new ArrayList<>(maxBatch);
        deliver(sink, out);
    }

    /**
     * Hands a batch of snapshot changes (bootstrap or resync) to the sink on the calling thread: a RuntimeException
     * propagates, an interrupt is kept, any other exception becomes a sink failure.
     */
    static void deliver(ChangeSink sink, List<PositionedChange> out) {
        try {
            sink.accept(out);
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrasiPostgresException("interrupted while delivering snapshot rows", e);
        } catch (Exception e) {
            throw new BatchHandler.SinkFailedException(e);
        }
    }
}

package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.bootstrap.BootstrapSink;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.model.SourceChange;
import java.util.ArrayList;
import java.util.List;

/** Adapts bootstrap rows to a {@link ChangeSink}: batches of at most {@code maxBatch}, bootstrap positions. */
public final class BootstrapBatcher implements BootstrapSink {

    private final ChangeSink sink;
    private final int maxBatch;
    private List<PositionedChange> batch;
    private long rows;

    public BootstrapBatcher(ChangeSink sink, int maxBatch) {
        this.sink = sink;
        this.maxBatch = maxBatch;
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
        batch.add(new PositionedChange(change, ChangePosition.bootstrapRow(rows++)));
        if (batch.size() >= maxBatch) {
            flush();
        }
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

package io.drasi.source.postgres.http;

import io.drasi.source.postgres.bootstrap.BootstrapSink;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.model.SourceChange;
import java.util.ArrayList;
import java.util.List;

/**
 * Pushes bootstrap rows (one {@link SourceChange.Insert} per row) through a {@link DrasiHttpSink}: rows are
 * buffered and posted when {@link HttpSinkConfig#maxBatchEvents()} rows are buffered or the oldest buffered
 * row has waited {@link HttpSinkConfig#maxBatchWait()} (checked when the next row arrives; the reader
 * delivers rows continuously). {@link #flush()} posts the rest: call it after the bootstrap returned.
 * Each post returns only once the server acknowledged it (same retries and errors as the stream), which
 * slows the snapshot read down while the server is unreachable (backpressure).
 *
 * <p>Thread-safety: one thread at a time (the bootstrap's reader thread).
 */
public final class HttpBootstrapSink implements BootstrapSink {

    private final DrasiHttpSink sink;
    private final int maxBatch;
    private final long maxWaitNanos;
    private List<SourceChange> buffer;
    private long firstBufferedNanos;
    private long rows;

    HttpBootstrapSink(DrasiHttpSink sink) {
        this.sink = sink;
        this.maxBatch = sink.config().maxBatchEvents();
        this.maxWaitNanos = sink.config().maxBatchWait().toNanos();
        this.buffer = new ArrayList<>(Math.min(maxBatch, 1024));
    }

    /**
     * @throws HttpSinkException when the server refuses the rows for good (aborts the bootstrap)
     */
    @Override
    public void accept(SourceChange.Insert insert) {
        rows++;
        add(insert);
    }

    /**
     * A relation of the snapshot, posted like the rows (a drasi-server relation event).
     *
     * @throws HttpSinkException when the server refuses it for good (aborts the bootstrap)
     */
    @Override
    public void acceptRelation(SourceChange.RelationInsert relation) {
        add(relation);
    }

    private void add(SourceChange change) {
        if (buffer.isEmpty()) {
            firstBufferedNanos = System.nanoTime();
        }
        buffer.add(change);
        if (buffer.size() >= maxBatch || System.nanoTime() - firstBufferedNanos >= maxWaitNanos) {
            flush();
        }
    }

    /**
     * Posts the buffered rows and returns once the server acknowledged them.
     *
     * @throws HttpSinkException when the server refuses them for good
     */
    public void flush() {
        if (buffer.isEmpty()) {
            return;
        }
        List<SourceChange> out = buffer;
        buffer = new ArrayList<>(Math.min(maxBatch, 1024));
        try {
            sink.post(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrasiPostgresException(
                    "interrupted while posting bootstrap rows to "
                            + sink.config().url(),
                    e);
        }
    }

    /** @return rows accepted so far (posted or buffered) */
    public long rows() {
        return rows;
    }
}

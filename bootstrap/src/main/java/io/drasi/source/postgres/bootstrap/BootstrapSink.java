package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.model.SourceChange;

/**
 * Receives the bootstrap's Insert changes, one row at a time (and its relations, see {@link #acceptRelation}), on the
 * thread that runs
 * {@link BootstrapProvider#bootstrap}. Rows come table by table. Backpressure is natural: the next
 * row is read only after {@link #accept} returns, and the server-side read waits meanwhile (the
 * snapshot transaction stays open, so do not block for hours).
 *
 * <p>A RuntimeException thrown by {@link #accept} aborts the bootstrap (the read is cancelled and
 * the connections closed) and propagates unchanged to the caller of {@code bootstrap}.
 *
 * <p>Thread-safety: called from one thread at a time. Nullability: the argument is never null.
 */
@FunctionalInterface
public interface BootstrapSink {

    /** @param insert one snapshot row as an Insert; never null */
    void accept(SourceChange.Insert insert);

    /**
     * Receives one relation of the snapshot (a foreign key of a row, {@code foreign_key_relations}), right after
     * the Insert of the row holding it. Only called when the bootstrap emits relations.
     *
     * <p>The default refuses (failing the bootstrap, losing nothing): a sink written for nodes only must not drop
     * relations silently. Sinks that take relations override it.
     *
     * @param relation one relation of the snapshot; never null
     * @throws UnsupportedOperationException unless overridden
     */
    default void acceptRelation(SourceChange.RelationInsert relation) {
        throw new UnsupportedOperationException(
                "this BootstrapSink (" + getClass().getName() + ") takes nodes only,"
                        + " but foreign_key_relations is on: override BootstrapSink.acceptRelation, or turn"
                        + " foreign_key_relations off");
    }
}

package io.drasi.source.postgres.model;

import java.util.Objects;
import java.util.function.Function;

/**
 * One change to the Drasi graph, produced by the mapping layer from a WAL change or a bootstrap row.
 *
 * <ul>
 *   <li>{@link Insert}, {@link Update}: carry the full {@link Node}.</li>
 *   <li>{@link Delete}: carries metadata only.</li>
 *   <li>{@link Truncate}: a PostgreSQL TRUNCATE of one table. It has no element; a host applies it by
 *       deleting every element of that table, i.e. every element whose id starts with
 *       {@link ElementId#prefix(TableId) schema:table:} (equivalently: label = table name and id in
 *       that schema). Hosts that cannot enumerate their elements should re-bootstrap the table.</li>
 * </ul>
 *
 * <p>Thread-safety: all implementations are immutable. Nullability: components are never null.
 */
public sealed interface SourceChange permits SourceChange.Insert, SourceChange.Update, SourceChange.Delete,
        SourceChange.Truncate {

    /** @return the time the change became effective, ms since the Unix epoch */
    long effectiveFromMs();

    /**
     * Handles this change by its kind: exactly one function is applied. Code that must treat every kind uses this
     * instead of {@code instanceof} chains, so a new kind of change breaks compilation wherever it must be handled.
     *
     * @param onInsert   applied to an {@link Insert}; never null
     * @param onUpdate   applied to an {@link Update}; never null
     * @param onDelete   applied to a {@link Delete}; never null
     * @param onTruncate applied to a {@link Truncate}; never null
     * @param <R>        the result type
     * @return what the applied function returned
     */
    default <R> R fold(Function<? super Insert, ? extends R> onInsert, Function<? super Update, ? extends R> onUpdate,
                       Function<? super Delete, ? extends R> onDelete,
                       Function<? super Truncate, ? extends R> onTruncate) {
        // the one place that tells the kinds apart (the interface is sealed: these are all of them)
        if (this instanceof Insert i) {
            return onInsert.apply(i);
        }
        if (this instanceof Update u) {
            return onUpdate.apply(u);
        }
        if (this instanceof Delete d) {
            return onDelete.apply(d);
        }
        return onTruncate.apply((Truncate) this);
    }

    /** @return the node an Insert or Update carries; empty for Delete and Truncate */
    default java.util.Optional<Node> node() {
        return fold(i -> java.util.Optional.of(i.element()), u -> java.util.Optional.of(u.element()),
                d -> java.util.Optional.empty(), t -> java.util.Optional.empty());
    }

    /** @param element the inserted node; never null */
    record Insert(Node element) implements SourceChange {
        /** Validates. */
        public Insert {
            Objects.requireNonNull(element, "element");
        }

        @Override
        public long effectiveFromMs() {
            return element.metadata().effectiveFromMs();
        }
    }

    /** @param element the node's new state (all properties); never null */
    record Update(Node element) implements SourceChange {
        /** Validates. */
        public Update {
            Objects.requireNonNull(element, "element");
        }

        @Override
        public long effectiveFromMs() {
            return element.metadata().effectiveFromMs();
        }
    }

    /** @param metadata metadata of the deleted node; never null */
    record Delete(ElementMetadata metadata) implements SourceChange {
        /** Validates. */
        public Delete {
            Objects.requireNonNull(metadata, "metadata");
        }

        @Override
        public long effectiveFromMs() {
            return metadata.effectiveFromMs();
        }
    }

    /**
     * All rows of one table were removed.
     *
     * @param schema          the schema; never null
     * @param table           the table; never null
     * @param sourceId        the Drasi source id; never null
     * @param effectiveFromMs commit time, ms since the Unix epoch
     */
    record Truncate(String schema, String table, String sourceId, long effectiveFromMs) implements SourceChange {
        /** Validates. */
        public Truncate {
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(sourceId, "sourceId");
        }


        /** @return the truncated table */
        public TableId tableId() {
            return TableId.of(schema, table);
        }

        /** @return the prefix of every element id of the table, see {@link ElementId#prefix(TableId)} */
        public String elementIdPrefix() {
            return ElementId.prefix(tableId());
        }
    }
}

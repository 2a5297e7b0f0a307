package io.drasi.source.postgres.model;

import java.util.Objects;
import java.util.function.Function;

/**
 * One change to the Drasi graph, produced by the mapping layer from a WAL change or a bootstrap row.
 *
 * <ul>
 *   <li>{@link Insert}, {@link Update} (both a {@link NodeUpsert}): carry the full {@link Node}.</li>
 *   <li>{@link Delete}: carries metadata only.</li>
 *   <li>{@link Truncate}: a PostgreSQL TRUNCATE of one table. It has no element; a host applies it by
 *       deleting every element of that table, i.e. every element whose id starts with
 *       {@link ElementId#prefix(TableId) schema:table:} (equivalently: label = table name and id in
 *       that schema). Hosts that cannot enumerate their elements should re-bootstrap the table. The
 *       relations a table's rows hold (foreign keys) have ids with the same prefix, so it covers them too.</li>
 *   <li>{@link RelationChange}: a change to a {@link Relation} (a foreign key of a row):
 *       {@link RelationInsert}, {@link RelationUpdate} (e.g. new endpoints; both a {@link RelationUpsert}),
 *       {@link RelationDelete}.</li>
 * </ul>
 *
 * <p>Thread-safety: all implementations are immutable. Nullability: components are never null.
 */
public sealed interface SourceChange
        permits SourceChange.NodeUpsert, SourceChange.Delete, SourceChange.Truncate, SourceChange.RelationChange {

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
     * @param onRelation applied to a {@link RelationChange} (see {@link RelationChange#foldRelation}); never null
     * @param <R>        the result type
     * @return what the applied function returned
     */
    default <R> R fold(
            Function<? super Insert, ? extends R> onInsert,
            Function<? super Update, ? extends R> onUpdate,
            Function<? super Delete, ? extends R> onDelete,
            Function<? super Truncate, ? extends R> onTruncate,
            Function<? super RelationChange, ? extends R> onRelation) {
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
        if (this instanceof RelationChange r) {
            return onRelation.apply(r);
        }
        return onTruncate.apply((Truncate) this);
    }

    /** @return the node an Insert or Update carries; empty for every other kind */
    default java.util.Optional<Node> node() {
        return this instanceof NodeUpsert n ? java.util.Optional.of(n.element()) : java.util.Optional.empty();
    }

    /**
     * A change to a {@link Relation}. Its metadata's element id is a {@linkplain ElementId#relation relation id}.
     */
    sealed interface RelationChange extends SourceChange permits RelationUpsert, RelationDelete {

        /** @return the relation's metadata (id, labels, time); never null */
        ElementMetadata metadata();

        @Override
        default long effectiveFromMs() {
            return metadata().effectiveFromMs();
        }

        /**
         * Handles this relation change by its kind: exactly one function is applied.
         *
         * @param onInsert applied to a {@link RelationInsert}; never null
         * @param onUpdate applied to a {@link RelationUpdate}; never null
         * @param onDelete applied to a {@link RelationDelete}; never null
         * @param <R>      the result type
         * @return what the applied function returned
         */
        default <R> R foldRelation(
                Function<? super RelationInsert, ? extends R> onInsert,
                Function<? super RelationUpdate, ? extends R> onUpdate,
                Function<? super RelationDelete, ? extends R> onDelete) {
            if (this instanceof RelationInsert i) {
                return onInsert.apply(i);
            }
            if (this instanceof RelationUpdate u) {
                return onUpdate.apply(u);
            }
            return onDelete.apply((RelationDelete) this);
        }

        /** @return the relation an insert or update carries; empty for a delete */
        default java.util.Optional<Relation> relation() {
            return this instanceof RelationUpsert u ? java.util.Optional.of(u.element()) : java.util.Optional.empty();
        }
    }

    /** A {@link RelationInsert} or a {@link RelationUpdate}: a change that carries the relation's whole new state. */
    sealed interface RelationUpsert extends RelationChange permits RelationInsert, RelationUpdate {

        /** @return the relation (endpoints and properties); never null */
        Relation element();

        @Override
        default ElementMetadata metadata() {
            return element().metadata();
        }
    }

    /** @param element the inserted relation; never null */
    record RelationInsert(Relation element) implements RelationUpsert {
        /** Validates. */
        public RelationInsert {
            Objects.requireNonNull(element, "element");
        }
    }

    /** @param element the relation's new state (endpoints and properties); never null */
    record RelationUpdate(Relation element) implements RelationUpsert {
        /** Validates. */
        public RelationUpdate {
            Objects.requireNonNull(element, "element");
        }
    }

    /** @param metadata metadata of the deleted relation, with its labels; never null */
    record RelationDelete(ElementMetadata metadata) implements RelationChange {
        /** Validates. */
        public RelationDelete {
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    /** An {@link Insert} or an {@link Update}: a change that carries the node's whole new state. */
    sealed interface NodeUpsert extends SourceChange permits Insert, Update {

        /** @return the node (all properties); never null */
        Node element();

        @Override
        default long effectiveFromMs() {
            return element().metadata().effectiveFromMs();
        }
    }

    /** @param element the inserted node; never null */
    record Insert(Node element) implements NodeUpsert {
        /** Validates. */
        public Insert {
            Objects.requireNonNull(element, "element");
        }
    }

    /** @param element the node's new state (all properties); never null */
    record Update(Node element) implements NodeUpsert {
        /** Validates. */
        public Update {
            Objects.requireNonNull(element, "element");
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

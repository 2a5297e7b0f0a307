package io.drasi.source.postgres.mapping.model;

import java.util.Objects;

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

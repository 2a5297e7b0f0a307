package io.drasi.source.postgres.mapping;

import io.drasi.source.postgres.mapping.MappedRecord.Kind;
import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.PropertyMap;
import io.drasi.source.postgres.model.Relation;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Maps Debezium PostgreSQL change records (Kafka Connect format) to Drasi {@link SourceChange}s.
 *
 * <ul>
 *   <li>{@code op} {@code c}/{@code r} → Insert; {@code u} → Update, or Delete(old id) + Insert(new id)
 *       when the before image exists and its key differs; {@code d} → Delete; {@code t} → Truncate.
 *       Debezium's own key-change pair ({@code d} then {@code c}) therefore also yields Delete + Insert.</li>
 *   <li>Tombstones, heartbeats, transaction BEGIN/END and logical messages yield no change but are
 *       reported by {@link MappedRecord#kind()}.</li>
 *   <li>Element id: {@code schema:table:key...} from {@code source.schema}/{@code source.table} and the
 *       key columns chosen by {@link TableKeys} (configured, else Debezium's key schema = the primary
 *       key), rendered with {@link PgValueConverter#keyFromConnect}.</li>
 *   <li>Labels {@code [table]}; effective_from = {@code source.ts_ms} (commit time, ms).</li>
 *   <li>Foreign keys ({@link ForeignKeys}, {@code foreign_key_relations}) become relations, after the row's node
 *       changes: Insert → RelationInsert when every foreign-key column is non-null; Update that keeps the key →
 *       nothing when the old image shows the foreign key unchanged, RelationInsert/Update/Delete when it became
 *       non-null/changed/NULL; without an old image carrying it (REPLICA IDENTITY DEFAULT, foreign key outside the
 *       key) every such update rewrites the relation (RelationUpdate, or RelationDelete when NULL); an update that
 *       changes the key → RelationDelete (old id) + RelationInsert (new id); Delete → RelationDelete (always, since
 *       the old image may not tell whether the key was NULL). TRUNCATE covers them (ids share the table prefix).</li>
 *   <li>Values equal to Debezium's unchanged-TOAST placeholder are never emitted: the property is left
 *       out of the node and named in {@link MappedRecord#unavailableProperties()}.</li>
 * </ul>
 *
 * <p>Thread-safety: safe for concurrent use (internal caches are concurrent). Nullability: arguments
 * are never null.
 */
public final class ChangeMapper {

    private static final String HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat";
    private static final String HEARTBEAT_SCHEMA_SUFFIX = "Heartbeat";
    private static final String TX_SCHEMA_SUFFIX = "TransactionMetadataValue";
    private static final String TX_TOPIC_SUFFIX = ".transaction";
    /** The value schema of {@link #transactionEnd}: the fields of Debezium's END record that the mapping reads. */
    private static final Schema TX_END_SCHEMA = SchemaBuilder.struct()
            .name("io.drasi.source.postgres." + TX_SCHEMA_SUFFIX)
            .field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .build();

    private final String sourceId;
    private final TableKeys tableKeys;
    private final PgValueConverter converter;
    private final ColumnTypes columnTypes;
    private final ForeignKeys foreignKeys;
    private final Map<TableId, TablePlan> plans = new ConcurrentHashMap<>();

    /**
     * @param sourceId  the Drasi source id written into element metadata; never null
     * @param tableKeys key column resolution; never null
     * @param converter the value converter (its numeric mode applies to properties, never to ids); never null
     */
    public ChangeMapper(String sourceId, TableKeys tableKeys, PgValueConverter converter) {
        this(sourceId, tableKeys, converter, ColumnTypes.NONE);
    }

    /**
     * @param sourceId    the Drasi source id written into element metadata; never null
     * @param tableKeys   key column resolution; never null
     * @param converter   the value converter (its numeric mode applies to properties, never to ids); never null
     * @param columnTypes the catalog's column types, for domain columns and arrays; never null
     */
    public ChangeMapper(String sourceId, TableKeys tableKeys, PgValueConverter converter, ColumnTypes columnTypes) {
        this(sourceId, tableKeys, converter, columnTypes, ForeignKeys.none());
    }

    /**
     * @param sourceId    the Drasi source id written into element metadata; never null
     * @param tableKeys   key column resolution; never null
     * @param converter   the value converter (its numeric mode applies to properties, never to ids); never null
     * @param columnTypes the catalog's column types, for domain columns and arrays; never null
     * @param foreignKeys the foreign keys emitted as relations ({@link ForeignKeys#none()}: nodes only); never null
     */
    public ChangeMapper(
            String sourceId,
            TableKeys tableKeys,
            PgValueConverter converter,
            ColumnTypes columnTypes,
            ForeignKeys foreignKeys) {
        this.sourceId = Objects.requireNonNull(sourceId, "sourceId");
        this.tableKeys = Objects.requireNonNull(tableKeys, "tableKeys");
        this.converter = Objects.requireNonNull(converter, "converter");
        this.columnTypes = Objects.requireNonNull(columnTypes, "columnTypes");
        this.foreignKeys = Objects.requireNonNull(foreignKeys, "foreignKeys");
    }

    /** @return the Drasi source id */
    public String sourceId() {
        return sourceId;
    }

    /**
     * Builds the record that ends a transaction when Debezium's transaction metadata is off: the adapter's own engine
     * task emits one after every COMMIT it processed (its commit markers, issue 19), in place of Debezium's BEGIN and
     * END records and the transaction block Debezium adds to every change. {@link #map} reads it exactly as Debezium's
     * END record: {@link MappedRecord.Kind#TX_END} with the transaction id, the commit time and the {@code lsn} of
     * {@code offset} as the commit LSN.
     *
     * @param partition    Debezium's source partition of the connector; never null
     * @param offset       Debezium's offset right after the COMMIT; never null
     * @param topic        the record's topic; never null
     * @param txId         the transaction id (xid)
     * @param commitTimeMs the commit time, ms since the epoch
     * @return the record; never null
     */
    public static SourceRecord transactionEnd(
            Map<String, ?> partition, Map<String, ?> offset, String topic, long txId, long commitTimeMs) {
        Struct value = new Struct(TX_END_SCHEMA)
                .put("status", "END")
                .put("id", Long.toString(txId))
                .put("ts_ms", commitTimeMs);
        return new SourceRecord(partition, offset, topic, null, null, null, TX_END_SCHEMA, value);
    }

    /**
     * Maps one record.
     *
     * @param record a record from Debezium's PostgreSQL connector; never null
     * @return the mapping; never null
     * @throws MissingKeyException when a changed table has no usable key
     * @throws MappingException    when the record cannot be mapped (unknown op, missing key values...)
     */
    public MappedRecord map(SourceRecord record) {
        Objects.requireNonNull(record, "record");
        String topic = record.topic();
        Schema valueSchema = record.valueSchema();
        String schemaName = valueSchema == null ? null : valueSchema.name();
        if ((topic != null && topic.startsWith(HEARTBEAT_TOPIC_PREFIX))
                || (schemaName != null && schemaName.endsWith(HEARTBEAT_SCHEMA_SUFFIX))) {
            return MappedRecord.signal(Kind.HEARTBEAT, null, null, null, null, null);
        }
        if (schemaName != null && schemaName.endsWith(TX_SCHEMA_SUFFIX)
                || (topic != null
                        && topic.endsWith(TX_TOPIC_SUFFIX)
                        && record.value() instanceof Struct s
                        && s.schema().field("status") != null)) {
            return transaction(record);
        }
        if (record.value() == null) {
            return MappedRecord.signal(Kind.TOMBSTONE, null, null, null, null, null);
        }
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            throw new MappingException("unrecognised record on topic '" + topic + "' (schema " + schemaName
                    + "): not a Debezium change event");
        }
        String op = envelope.getString("op");
        Struct source = envelope.getStruct("source");
        if (source == null) {
            throw new MappingException("change event on topic '" + topic + "' has no source block");
        }
        Long lsn = optLong(source, "lsn");
        Long txId = optLong(source, "txId");
        Long tsMs = optLong(source, "ts_ms");
        if (tsMs == null) {
            tsMs = optLong(envelope, "ts_ms");
        }
        long effectiveFrom = tsMs == null ? 0L : tsMs;
        if ("m".equals(op)) {
            return new MappedRecord(Kind.MESSAGE, null, List.of(), Set.of(), lsn, txId, tsMs, null, null);
        }
        String schema = source.getString("schema");
        String table = source.getString("table");
        if (schema == null || table == null) {
            throw new MappingException("change event on topic '" + topic + "' has no source.schema/source.table");
        }
        TableId tableId = TableId.of(schema, table);
        if ("t".equals(op)) {
            return new MappedRecord(
                    Kind.TRUNCATE,
                    tableId,
                    List.of(new SourceChange.Truncate(schema, table, sourceId, effectiveFrom)),
                    Set.of(),
                    lsn,
                    txId,
                    tsMs,
                    null,
                    null);
        }
        TablePlan plan = plan(tableId, record.keySchema(), valueImageSchema(envelope));
        List<SourceChange> changes;
        Set<String> unavailable = Set.of();
        switch (op) {
            case "c":
            case "r": {
                Struct after = requireImage(envelope, "after", tableId, op);
                Unavailable u = new Unavailable();
                Node node = node(plan, after, effectiveFrom, u, record.keySchema(), lsn);
                unavailable = u.names();
                changes = List.of(new SourceChange.Insert(node));
                if (!plan.foreignKeys.isEmpty()) {
                    changes = new ArrayList<>(changes);
                    for (ForeignKey fk : plan.foreignKeys) {
                        insertRelation(fk, node, after, changes);
                    }
                }
                break;
            }
            case "u": {
                Struct after = requireImage(envelope, "after", tableId, op);
                Unavailable u = new Unavailable();
                Node node = node(plan, after, effectiveFrom, u, record.keySchema(), lsn);
                unavailable = u.names();
                Struct before = envelope.getStruct("before");
                ElementId oldId = before == null ? null : elementId(plan, before, record.keySchema(), true);
                boolean keyChanged =
                        oldId != null && !oldId.equals(node.metadata().elementId());
                if (keyChanged) {
                    changes = List.of(
                            new SourceChange.Delete(metadata(plan, oldId, effectiveFrom)),
                            new SourceChange.Insert(node));
                } else {
                    changes = List.of(new SourceChange.Update(node));
                }
                if (!plan.foreignKeys.isEmpty()) {
                    changes = new ArrayList<>(changes);
                    for (ForeignKey fk : plan.foreignKeys) {
                        if (keyChanged) {
                            changes.add(new SourceChange.RelationDelete(fk.metadata(oldId, sourceId, effectiveFrom)));
                            insertRelation(fk, node, after, changes);
                        } else {
                            updateRelation(plan, fk, node, before, after, changes);
                        }
                    }
                }
                break;
            }
            case "d": {
                Struct before = requireImage(envelope, "before", tableId, op);
                ElementId id = elementId(plan, before, record.keySchema(), true);
                changes = List.of(new SourceChange.Delete(metadata(plan, id, effectiveFrom)));
                if (!plan.foreignKeys.isEmpty()) {
                    changes = new ArrayList<>(changes);
                    for (ForeignKey fk : plan.foreignKeys) {
                        // always, even when the old image cannot tell whether the key was NULL: deleting a relation
                        // that does not exist is a no-op in Drasi, leaving one behind would be wrong
                        changes.add(new SourceChange.RelationDelete(fk.metadata(id, sourceId, effectiveFrom)));
                    }
                }
                break;
            }
            default:
                throw new MappingException("unknown Debezium op '" + op + "' for table " + tableId);
        }
        return new MappedRecord(Kind.DATA, tableId, changes, unavailable, lsn, txId, tsMs, null, null);
    }

    private MappedRecord transaction(SourceRecord record) {
        Struct v = (Struct) record.value();
        String status = v.getString("status");
        String id = v.schema().field("id") != null ? v.getString("id") : null;
        Long txId = null;
        if (id != null) {
            int colon = id.indexOf(':');
            try {
                txId = Long.parseLong(colon < 0 ? id : id.substring(0, colon));
            } catch (NumberFormatException e) {
                txId = null;
            }
        }
        Long tsMs = optLong(v, "ts_ms");
        if ("BEGIN".equals(status)) {
            return MappedRecord.signal(Kind.TX_BEGIN, null, txId, tsMs, null, id);
        }
        if ("END".equals(status)) {
            Long commitLsn = null;
            Map<String, ?> offset = record.sourceOffset();
            if (offset != null && offset.get("lsn") instanceof Number n) {
                commitLsn = n.longValue();
            }
            return MappedRecord.signal(Kind.TX_END, null, txId, tsMs, commitLsn, id);
        }
        throw new MappingException("unknown transaction status '" + status + "' on topic '" + record.topic() + "'");
    }

    private Node node(
            TablePlan plan, Struct after, long effectiveFrom, Unavailable unavailable, Schema keySchema, Long lsn) {
        List<Field> fields = after.schema().fields();
        String[] names = new String[fields.size()];
        ElementValue[] values = new ElementValue[fields.size()];
        int n = 0;
        for (Field f : fields) {
            Object raw = after.get(f);
            if (raw != null && PgValueConverter.isUnavailablePlaceholder(raw)) {
                unavailable.add(f.name());
                continue;
            }
            names[n] = f.name();
            values[n++] = converter.columnFromConnect(
                    plan.table, f.name(), f.schema(), raw, lsn, plan.declared.get(f.name()));
        }
        if (n < names.length) {
            names = java.util.Arrays.copyOf(names, n);
            values = java.util.Arrays.copyOf(values, n);
        }
        ElementId id = elementId(plan, after, keySchema, false);
        // array-backed and immutable: Node keeps it without another copy (hot path)
        return new Node(metadata(plan, id, effectiveFrom), PropertyMap.of(names, values));
    }

    /** Adds the row's relation for {@code fk} when its foreign-key columns are all non-null. */
    private void insertRelation(ForeignKey fk, Node node, Struct after, List<SourceChange> out) {
        List<String> parentKey = parentKey(fk, after);
        if (parentKey != null && parentKey != UNAVAILABLE) {
            out.add(new SourceChange.RelationInsert(relation(fk, node, parentKey)));
        }
    }

    /**
     * An update that kept the row's key: compares the foreign key of the old and new image when the old image
     * carries it (REPLICA IDENTITY FULL, or foreign-key columns within the key), emitting nothing when it is
     * unchanged; without it, the relation is written again (Update, or Delete when the key is NULL now).
     */
    private void updateRelation(
            TablePlan plan, ForeignKey fk, Node node, Struct before, Struct after, List<SourceChange> out) {
        List<String> now = parentKey(fk, after);
        if (now == UNAVAILABLE) {
            return; // an unchanged TOASTed foreign-key column: the foreign key did not change
        }
        ElementId childId = node.metadata().elementId();
        boolean known = before != null || plan.keyColumns.containsAll(fk.childColumns());
        if (!known) {
            out.add(
                    now == null
                            ? new SourceChange.RelationDelete(fk.metadata(
                                    childId, sourceId, node.metadata().effectiveFromMs()))
                            : new SourceChange.RelationUpdate(relation(fk, node, now)));
            return;
        }
        List<String> was = before != null ? parentKey(fk, before) : now; // within the unchanged key: unchanged
        if (java.util.Objects.equals(was, now)) {
            return;
        }
        if (now == null) {
            out.add(new SourceChange.RelationDelete(
                    fk.metadata(childId, sourceId, node.metadata().effectiveFromMs())));
        } else if (was == null) {
            out.add(new SourceChange.RelationInsert(relation(fk, node, now)));
        } else {
            out.add(new SourceChange.RelationUpdate(relation(fk, node, now)));
        }
    }

    private Relation relation(ForeignKey fk, Node node, List<String> parentKey) {
        return fk.relation(
                node.metadata().elementId(),
                parentKey,
                node.properties(),
                sourceId,
                node.metadata().effectiveFromMs());
    }

    /** Marks a foreign key with an unchanged-TOAST column (its value is not in the image). */
    private static final List<String> UNAVAILABLE = java.util.Collections.unmodifiableList(new ArrayList<>());

    /**
     * @return the canonical parent key the image's foreign-key columns reference; null when one of them is NULL;
     * {@link #UNAVAILABLE} when one is an unchanged-TOAST placeholder
     */
    private List<String> parentKey(ForeignKey fk, Struct image) {
        List<String> key = new ArrayList<>(fk.childColumns().size());
        for (String column : fk.childColumns()) {
            Field f = image.schema().field(column);
            if (f == null) {
                throw new MappingException("foreign-key column '" + column + "' of " + fk.describe()
                        + " is not a column of the change event; check that the publication publishes it");
            }
            Object raw = image.get(f);
            if (raw == null) {
                return null;
            }
            if (PgValueConverter.isUnavailablePlaceholder(raw)) {
                return UNAVAILABLE;
            }
            key.add(converter.keyFromConnect(f.schema(), raw));
        }
        return key;
    }

    private ElementMetadata metadata(TablePlan plan, ElementId id, long effectiveFrom) {
        return new ElementMetadata(id, sourceId, plan.labels, effectiveFrom);
    }

    private ElementId elementId(TablePlan plan, Struct image, Schema keySchema, boolean oldImage) {
        List<String> components = new ArrayList<>(plan.keyColumns.size());
        for (String column : plan.keyColumns) {
            Field f = image.schema().field(column);
            if (f == null) {
                throw new MappingException("key column '" + column + "' of table " + plan.table
                        + " is not a column of the change event; check table_keys for this table");
            }
            Object raw = image.get(f);
            if (raw != null && PgValueConverter.isUnavailablePlaceholder(raw)) {
                throw new MappingException("key column '" + column + "' of table " + plan.table
                        + " arrived as an unchanged TOAST placeholder; use a key column that is not TOASTed or set"
                        + " REPLICA IDENTITY FULL on the table");
            }
            if (raw == null && oldImage && (keySchema == null || keySchema.field(column) == null)) {
                throw new MappingException("key column '" + column + "' of table " + plan.table
                        + " is missing from the old row image because it is not part of the replica identity;"
                        + " set REPLICA IDENTITY FULL on " + plan.table.toQuotedString()
                        + " (or use key columns that form the primary key)");
            }
            components.add(converter.keyFromConnect(f.schema(), raw));
        }
        return ElementId.of(plan.table, components);
    }

    private static Struct requireImage(Struct envelope, String name, TableId table, String op) {
        Struct image = envelope.getStruct(name);
        if (image == null) {
            throw new MappingException(
                    "change event op '" + op + "' for table " + table + " has no '" + name + "' image");
        }
        return image;
    }

    private static Schema valueImageSchema(Struct envelope) {
        Field after = envelope.schema().field("after");
        return after != null ? after.schema() : null;
    }

    private TablePlan plan(TableId table, Schema keySchema, Schema rowSchema) {
        TablePlan plan = plans.get(table);
        if (plan == null || plan.keySchema != keySchema || plan.rowSchema != rowSchema) {
            List<String> pk = null;
            if (keySchema != null && keySchema.type() == Schema.Type.STRUCT) {
                pk = new ArrayList<>();
                for (Field f : keySchema.fields()) {
                    pk.add(f.name());
                }
            }
            // declared types only where Debezium's schema cannot tell: domains and arrays; asked again whenever
            // Debezium's row schema changes (a retyped column must not be read with its old type)
            Map<String, PgColumnType> declared = new java.util.HashMap<>();
            columnTypes.of(table).forEach((column, type) -> {
                if (type.baseType() != null || type.isArray()) {
                    declared.put(column, type);
                }
            });
            plan = new TablePlan(
                    table,
                    keySchema,
                    rowSchema,
                    tableKeys.keyColumns(table, pk),
                    List.of(table.table()),
                    declared,
                    foreignKeys.ofChild(table));
            plans.put(table, plan);
        }
        return plan;
    }

    private static Long optLong(Struct struct, String field) {
        Field f = struct.schema().field(field);
        if (f == null) {
            return null;
        }
        Object v = struct.get(f);
        return v instanceof Number n ? n.longValue() : null;
    }

    /** Collects unavailable column names without allocating in the common case (none). */
    private static final class Unavailable {
        private Set<String> names;

        void add(String name) {
            if (names == null) {
                names = new LinkedHashSet<>();
            }
            names.add(name);
        }

        Set<String> names() {
            return names == null ? Set.of() : names;
        }
    }

    /** Per-table cached key resolution. */
    private record TablePlan(
            TableId table,
            Schema keySchema,
            Schema rowSchema,
            List<String> keyColumns,
            List<String> labels,
            Map<String, PgColumnType> declared,
            List<ForeignKey> foreignKeys) {}
}

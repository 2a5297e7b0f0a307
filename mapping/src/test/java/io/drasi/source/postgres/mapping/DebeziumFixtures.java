package io.drasi.source.postgres.mapping;

import io.debezium.data.Envelope;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Builds Debezium PostgreSQL change records with Debezium's and Kafka Connect's own schema classes,
 * shaped like the connector's real output (envelope before/after/source/op/ts_ms, PostgreSQL source block).
 */
public final class DebeziumFixtures {

    public static final String PREFIX = "pg";

    /** The PostgreSQL connector's source block schema (io.debezium.connector.postgresql.Source). */
    public static final Schema SOURCE_SCHEMA = SchemaBuilder.struct()
            .name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field(
                    "snapshot",
                    SchemaBuilder.string().optional().defaultValue("false").build())
            .field("db", Schema.STRING_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("xmin", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    private DebeziumFixtures() {}

    /** A captured table: its row schema, key schema and envelope. */
    public static final class Table {
        public final String schema;
        public final String table;
        public final Schema rowSchema;
        public final Schema keySchema;
        public final Envelope envelope;
        public long txId = 771;
        public long lsn = 0x1A2B3C0L;
        public long tsMs = 1_699_900_000_123L;

        Table(String schema, String table, Schema rowSchema, Schema keySchema) {
            this.schema = schema;
            this.table = table;
            this.rowSchema = rowSchema;
            this.keySchema = keySchema;
            this.envelope = Envelope.defineSchema()
                    .withName(PREFIX + "." + schema + "." + table + ".Envelope")
                    .withRecord(rowSchema)
                    .withSource(SOURCE_SCHEMA)
                    .build();
        }

        public Struct row(Object... fieldValues) {
            Struct s = new Struct(rowSchema);
            for (int i = 0; i < fieldValues.length; i += 2) {
                s.put((String) fieldValues[i], fieldValues[i + 1]);
            }
            return s;
        }

        public Struct source() {
            Struct src = new Struct(SOURCE_SCHEMA)
                    .put("version", "3.6.3.Final")
                    .put("connector", "postgresql")
                    .put("name", PREFIX)
                    .put("ts_ms", tsMs)
                    .put("snapshot", "false")
                    .put("db", "shop")
                    .put("sequence", "[\"" + (lsn - 8) + "\",\"" + lsn + "\"]")
                    .put("ts_us", tsMs * 1000)
                    .put("ts_ns", tsMs * 1_000_000)
                    .put("schema", schema)
                    .put("table", table)
                    .put("txId", txId)
                    .put("lsn", lsn);
            return src;
        }

        public Struct key(Struct row) {
            if (keySchema == null) {
                return null;
            }
            Struct k = new Struct(keySchema);
            for (Field f : keySchema.fields()) {
                k.put(f.name(), row.get(f.name()));
            }
            return k;
        }

        private SourceRecord record(Struct keyRow, Struct value, ConnectHeaders headers) {
            Map<String, ?> offset = Map.of("lsn", lsn, "txId", txId, "ts_usec", tsMs * 1000);
            return sourceRecord(
                    offset, keySchema, keyRow == null ? null : key(keyRow), envelope.schema(), value, headers);
        }

        /** @return a record of this table's topic from the server {@link #PREFIX} */
        private SourceRecord sourceRecord(
                Map<String, ?> offset,
                Schema recordKeySchema,
                Object key,
                Schema valueSchema,
                Object value,
                ConnectHeaders headers) {
            return new SourceRecord(
                    Map.of("server", PREFIX),
                    offset,
                    PREFIX + "." + schema + "." + table,
                    null,
                    recordKeySchema,
                    key,
                    valueSchema,
                    value,
                    null,
                    headers);
        }

        public SourceRecord insert(Struct after) {
            return record(
                    after, envelope.create(after, source(), Instant.ofEpochMilli(tsMs + 5)), new ConnectHeaders());
        }

        public SourceRecord read(Struct after) {
            return record(after, envelope.read(after, source(), Instant.ofEpochMilli(tsMs + 5)), new ConnectHeaders());
        }

        public SourceRecord update(Struct before, Struct after) {
            return record(
                    after,
                    envelope.update(before, after, source(), Instant.ofEpochMilli(tsMs + 5)),
                    new ConnectHeaders());
        }

        public SourceRecord delete(Struct before) {
            return record(
                    before, envelope.delete(before, source(), Instant.ofEpochMilli(tsMs + 5)), new ConnectHeaders());
        }

        /**
         * Debezium's key-change pair under REPLICA IDENTITY DEFAULT: d (newkey header), tombstone, c (oldkey header).
         */
        public List<SourceRecord> keyChangePair(Struct before, Struct after) {
            ConnectHeaders dh = new ConnectHeaders();
            dh.add("__debezium.newkey", key(after), keySchema);
            SourceRecord d = record(before, envelope.delete(before, source(), Instant.ofEpochMilli(tsMs + 5)), dh);
            SourceRecord tomb = tombstone(before);
            ConnectHeaders ch = new ConnectHeaders();
            ch.add("__debezium.oldkey", key(before), keySchema);
            SourceRecord c = record(after, envelope.create(after, source(), Instant.ofEpochMilli(tsMs + 5)), ch);
            return List.of(d, tomb, c);
        }

        public SourceRecord tombstone(Struct keyRow) {
            return sourceRecord(Map.of("lsn", lsn), keySchema, key(keyRow), null, null, new ConnectHeaders());
        }

        public SourceRecord truncate() {
            return sourceRecord(
                    Map.of("lsn", lsn),
                    null,
                    null,
                    envelope.schema(),
                    envelope.truncate(source(), Instant.ofEpochMilli(tsMs + 5)),
                    new ConnectHeaders());
        }
    }

    /**
     * @param schema     schema name
     * @param table      table name
     * @param rowSchema  the row (before/after) schema, built with SchemaBuilder and Debezium's builders
     * @param keyColumns primary key columns (empty: no key schema, like a table without PK)
     */
    public static Table table(String schema, String table, Schema rowSchema, String... keyColumns) {
        Schema keySchema = null;
        if (keyColumns.length > 0) {
            SchemaBuilder kb = SchemaBuilder.struct().name(PREFIX + "." + schema + "." + table + ".Key");
            for (String k : keyColumns) {
                kb.field(k, rowSchema.field(k).schema());
            }
            keySchema = kb.build();
        }
        return new Table(schema, table, rowSchema, keySchema);
    }

    public static SchemaBuilder rowBuilder(String schema, String table) {
        return SchemaBuilder.struct()
                .name(PREFIX + "." + schema + "." + table + ".Value")
                .optional();
    }

    /** Debezium's transaction metadata schema. */
    public static final Schema TX_SCHEMA = SchemaBuilder.struct()
            .name("io.debezium.connector.common.TransactionMetadataValue")
            .field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA)
            .field("event_count", Schema.OPTIONAL_INT64_SCHEMA)
            .field(
                    "data_collections",
                    SchemaBuilder.array(SchemaBuilder.struct()
                                    .field("data_collection", Schema.STRING_SCHEMA)
                                    .field("event_count", Schema.INT64_SCHEMA)
                                    .build())
                            .optional()
                            .build())
            .field("ts_ms", Schema.INT64_SCHEMA)
            .build();

    public static SourceRecord txBegin(long txId, long lsn, long tsMs) {
        Struct v = new Struct(TX_SCHEMA)
                .put("status", "BEGIN")
                .put("id", txId + ":" + lsn)
                .put("ts_ms", tsMs);
        return txRecord(txId, lsn, v);
    }

    public static SourceRecord txEnd(long txId, long commitLsn, long tsMs) {
        Struct v = new Struct(TX_SCHEMA)
                .put("status", "END")
                .put("id", txId + ":" + commitLsn)
                .put("event_count", 2L)
                .put("data_collections", List.of())
                .put("ts_ms", tsMs);
        return txRecord(txId, commitLsn, v);
    }

    private static SourceRecord txRecord(long txId, long lsn, Struct value) {
        return new SourceRecord(
                Map.of("server", PREFIX), Map.of("lsn", lsn, "txId", txId), PREFIX + ".transaction", TX_SCHEMA, value);
    }

    /** Debezium's heartbeat record. */
    public static SourceRecord heartbeat(long tsMs) {
        Schema key = SchemaBuilder.struct()
                .name("io.debezium.connector.common.ServerNameKey")
                .field("serverName", Schema.STRING_SCHEMA)
                .build();
        Schema value = SchemaBuilder.struct()
                .name("io.debezium.connector.common.Heartbeat")
                .field("ts_ms", Schema.INT64_SCHEMA)
                .build();
        return new SourceRecord(
                Map.of("server", PREFIX),
                Map.of("lsn", 5L),
                "__debezium-heartbeat." + PREFIX,
                null,
                key,
                new Struct(key).put("serverName", PREFIX),
                value,
                new Struct(value).put("ts_ms", tsMs));
    }
}

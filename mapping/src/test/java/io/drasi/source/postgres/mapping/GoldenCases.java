package io.drasi.source.postgres.mapping;

import io.debezium.data.VariableScaleDecimal;
import io.drasi.source.postgres.mapping.DebeziumFixtures.Table;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.TableId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The golden cases of {@link ChangeMapperGoldenTest}: Debezium-shaped records and the mapper
 * configuration that produced {@code golden/<file>}. Shared (via this module's test-jar) with the
 * kafka-connect module, whose SMT must produce the same Drasi changes from the same records.
 */
public final class GoldenCases {

    /**
     * One golden case.
     *
     * @param file         the golden file under {@code golden/} (also a classpath resource)
     * @param sourceId     the Drasi source id
     * @param tableKeys    configured key columns, as for {@link TableKeys#of(Map)} (empty: primary keys)
     * @param exactNumeric numeric/money as exact strings ({@code decimal_as_string})
     * @param records      the records, in order; the file has one {@code {"record":..}} line per record
     *                     followed by the seed JSON of each change it yields
     */
    public record Case(
            String file,
            String sourceId,
            Map<String, List<String>> tableKeys,
            boolean exactNumeric,
            List<SourceRecord> records) {

        /** @return a mapper configured like this case */
        public ChangeMapper mapper() {
            return new ChangeMapper(
                    sourceId,
                    tableKeys.isEmpty() ? TableKeys.none() : TableKeys.of(tableKeys),
                    exactNumeric
                            ? new PgValueConverter(PgValueConverter.NumericMode.EXACT_STRING)
                            : PgValueConverter.DEFAULT);
        }
    }

    private GoldenCases() {}

    /** @return every case, in a stable order */
    public static List<Case> all() {
        return List.of(
                allTypes(),
                allTypesExactNumeric(),
                everyOp(),
                compositeKeyAndKeyChanges(),
                unchangedToast(),
                configuredKeysHostileNames());
    }

    static Schema usersSchema() {
        return DebeziumFixtures.rowBuilder("public", "users")
                .field("id", Schema.INT32_SCHEMA)
                .field("name", Schema.OPTIONAL_STRING_SCHEMA)
                .field("email", Schema.OPTIONAL_STRING_SCHEMA)
                .field("age", Schema.OPTIONAL_INT32_SCHEMA)
                .build();
    }

    static Table users() {
        return DebeziumFixtures.table("public", "users", usersSchema(), "id");
    }

    private static List<SourceRecord> allTypesRecords() {
        Table t = DebeziumFixtures.table("public", "all_types", ValueTableFixture.rowSchema(), "id");
        Struct row = new Struct(t.rowSchema);
        for (ValueTableFixture.Column c : ValueTableFixture.columns()) {
            row.put(c.name(), c.connectValue());
        }
        return List.of(t.insert(row));
    }

    public static Case allTypes() {
        return new Case("all_types_insert.jsonl", "pg-source", Map.of(), false, allTypesRecords());
    }

    public static Case allTypesExactNumeric() {
        return new Case("all_types_insert_exact_numeric.jsonl", "pg-source", Map.of(), true, allTypesRecords());
    }

    public static Case everyOp() {
        Table t = users();
        Struct alice = t.row("id", 1, "name", "Alice", "email", "alice@example.com", "age", 30);
        Struct alice2 = t.row("id", 1, "name", "Alice", "email", "alice@new.example.com", "age", 31);
        Struct bob = t.row("id", 2, "name", "Bob", "email", null, "age", null);
        List<SourceRecord> records = new ArrayList<>();
        records.add(DebeziumFixtures.txBegin(771, 0x1A2B000L, t.tsMs));
        records.add(t.read(bob));
        records.add(t.insert(alice));
        records.add(t.update(null, alice2));
        records.add(t.delete(t.row("id", 1)));
        records.add(t.tombstone(alice));
        records.add(t.truncate());
        records.add(DebeziumFixtures.txEnd(771, 0x1A2BFF0L, t.tsMs));
        records.add(DebeziumFixtures.heartbeat(t.tsMs));
        return new Case("ops.jsonl", "pg-source", Map.of(), false, records);
    }

    public static Case compositeKeyAndKeyChanges() {
        Schema s = DebeziumFixtures.rowBuilder("public", "order_items")
                .field("order_id", Schema.INT64_SCHEMA)
                .field("item_no", Schema.INT32_SCHEMA)
                .field("sku", Schema.OPTIONAL_STRING_SCHEMA)
                .field("qty", VariableScaleDecimal.builder().optional().build())
                .build();
        Table t = DebeziumFixtures.table("public", "order_items", s, "order_id", "item_no");
        Struct r1 = t.row("order_id", 1001L, "item_no", 3, "sku", "A:B%C", "qty", ValueTableFixture.vsd("2"));
        Struct r1moved = t.row("order_id", 1001L, "item_no", 4, "sku", "A:B%C", "qty", ValueTableFixture.vsd("2.5"));
        Struct r1back = t.row("order_id", 1001L, "item_no", 3, "sku", "A:B%C", "qty", ValueTableFixture.vsd("2.5"));
        List<SourceRecord> records = new ArrayList<>();
        records.add(t.insert(r1));
        // REPLICA IDENTITY FULL: one update with before and after, key changed
        records.add(t.update(r1, r1moved));
        // same row, full before image, key unchanged
        records.add(t.update(r1moved, r1moved));
        // REPLICA IDENTITY DEFAULT: Debezium's d (newkey) + tombstone + c (oldkey) pair
        records.addAll(t.keyChangePair(r1moved, r1back));
        return new Case("composite_key_and_key_change.jsonl", "pg-source", Map.of(), false, records);
    }

    public static Case unchangedToast() {
        Schema s = DebeziumFixtures.rowBuilder("public", "docs")
                .field("id", Schema.INT32_SCHEMA)
                .field("title", Schema.OPTIONAL_STRING_SCHEMA)
                .field("body", Schema.OPTIONAL_STRING_SCHEMA)
                .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
                .field(
                        "tags",
                        SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA)
                                .optional()
                                .build())
                .field(
                        "scores",
                        SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA)
                                .optional()
                                .build())
                .field("doc", io.debezium.data.Json.builder().optional().build())
                .build();
        Table t = DebeziumFixtures.table("public", "docs", s, "id");
        byte[] placeholder = PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);
        List<Integer> intPlaceholder = new ArrayList<>();
        for (byte b : placeholder) {
            intPlaceholder.add((int) b);
        }
        Struct after = t.row(
                "id",
                7,
                "title",
                "new title",
                "body",
                PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER,
                "blob",
                placeholder,
                "tags",
                List.of(PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER),
                "scores",
                intPlaceholder,
                "doc",
                PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER);
        return new Case("unchanged_toast.jsonl", "pg-source", Map.of(), false, List.of(t.update(null, after)));
    }

    public static Case configuredKeysHostileNames() {
        Schema s = DebeziumFixtures.rowBuilder("My Schema", "Odd.Table:1")
                .field("code", Schema.STRING_SCHEMA)
                .field("region", Schema.STRING_SCHEMA)
                .field("note", Schema.OPTIONAL_STRING_SCHEMA)
                .build();
        Table t = DebeziumFixtures.table("My Schema", "Odd.Table:1", s); // no primary key
        List<SourceRecord> records = List.of(
                t.insert(t.row("code", "a:b", "region", "100%", "note", "x")),
                t.insert(t.row("code", "", "region", "ü", "note", null)));
        return new Case(
                "configured_keys_hostile_names.jsonl",
                "pg-source",
                Map.of("\"My Schema\".\"Odd.Table:1\"", List.of("region", "code")),
                false,
                records);
    }

    /** The foreign keys of {@link #foreignKeyRecords()}: orders→customers, a self-reference, a composite key. */
    public static ForeignKeys foreignKeys() {
        TableId customers = TableId.of("public", "customers");
        TableId orders = TableId.of("public", "orders");
        TableId employees = TableId.of("public", "employees");
        TableId items = TableId.of("public", "order_items");
        TableId shipments = TableId.of("public", "shipments");
        return ForeignKeys.of(List.of(
                new ForeignKey(
                        "orders_customer_id_fkey",
                        orders,
                        List.of("customer_id"),
                        customers,
                        List.of("id"),
                        "PLACED_BY"),
                new ForeignKey(
                        "employees_manager_id_fkey",
                        employees,
                        List.of("manager_id"),
                        employees,
                        List.of("id"),
                        "employees_manager_id_fkey"),
                new ForeignKey(
                        "order_items_order_id_fkey",
                        items,
                        List.of("order_id"),
                        orders,
                        List.of("id"),
                        "order_items_order_id_fkey"),
                new ForeignKey(
                        "shipments_item_fkey",
                        shipments,
                        List.of("order_id", "item_no"),
                        items,
                        List.of("order_id", "item_no"),
                        "SHIPS")));
    }

    /** @return a mapper emitting {@link #foreignKeys()} as relations */
    public static ChangeMapper foreignKeyMapper() {
        return new ChangeMapper(
                "pg-source", TableKeys.none(), PgValueConverter.DEFAULT, ColumnTypes.NONE, foreignKeys());
    }

    /**
     * Every stream rule of foreign-key relations: insert with and without the key, updates without an old image
     * (REPLICA IDENTITY DEFAULT) and with one (FULL) that keep, change, null and un-null the key, a key change
     * (FULL and Debezium's DEFAULT d + c pair), delete, truncate, a self-reference, a foreign key inside the
     * child's composite key and a composite foreign key.
     */
    public static List<SourceRecord> foreignKeyRecords() {
        Schema os = DebeziumFixtures.rowBuilder("public", "orders")
                .field("id", Schema.INT32_SCHEMA)
                .field("customer_id", Schema.OPTIONAL_INT32_SCHEMA)
                .field("note", Schema.OPTIONAL_STRING_SCHEMA)
                .build();
        Table o = DebeziumFixtures.table("public", "orders", os, "id");
        List<SourceRecord> r = new ArrayList<>();
        r.add(o.insert(o.row("id", 1, "customer_id", 3, "note", "a")));
        r.add(o.insert(o.row("id", 9, "customer_id", null, "note", "no customer")));
        // REPLICA IDENTITY DEFAULT: no old image, so the relation is rewritten
        r.add(o.update(null, o.row("id", 1, "customer_id", 4, "note", "a")));
        r.add(o.update(null, o.row("id", 1, "customer_id", null, "note", "a")));
        // REPLICA IDENTITY FULL: compared with the old image
        r.add(o.update(
                o.row("id", 9, "customer_id", null, "note", "x"), o.row("id", 9, "customer_id", 5, "note", "x")));
        r.add(o.update(o.row("id", 9, "customer_id", 5, "note", "x"), o.row("id", 9, "customer_id", 5, "note", "y")));
        r.add(o.update(o.row("id", 9, "customer_id", 5, "note", "y"), o.row("id", 9, "customer_id", 6, "note", "y")));
        r.add(o.update(
                o.row("id", 9, "customer_id", 6, "note", "y"), o.row("id", 9, "customer_id", null, "note", "y")));
        // key changes: FULL (one update) and DEFAULT (Debezium's d + tombstone + c)
        r.add(o.update(
                o.row("id", 9, "customer_id", null, "note", "y"), o.row("id", 10, "customer_id", 7, "note", "y")));
        r.addAll(o.keyChangePair(o.row("id", 10), o.row("id", 11, "customer_id", 7, "note", "y")));
        r.add(o.delete(o.row("id", 11)));
        r.add(o.truncate());

        Schema es = DebeziumFixtures.rowBuilder("public", "employees")
                .field("id", Schema.INT64_SCHEMA)
                .field("manager_id", Schema.OPTIONAL_INT64_SCHEMA)
                .build();
        Table e = DebeziumFixtures.table("public", "employees", es, "id");
        r.add(e.insert(e.row("id", 1L, "manager_id", null)));
        r.add(e.insert(e.row("id", 2L, "manager_id", 1L)));
        r.add(e.insert(e.row("id", 3L, "manager_id", 3L)));

        Schema is = DebeziumFixtures.rowBuilder("public", "order_items")
                .field("order_id", Schema.INT32_SCHEMA)
                .field("item_no", Schema.INT32_SCHEMA)
                .field("sku", Schema.OPTIONAL_STRING_SCHEMA)
                .build();
        Table i = DebeziumFixtures.table("public", "order_items", is, "order_id", "item_no");
        r.add(i.insert(i.row("order_id", 1, "item_no", 1, "sku", "a:b")));
        // the foreign key lies within the unchanged key: nothing for the relation, even without an old image
        r.add(i.update(null, i.row("order_id", 1, "item_no", 1, "sku", "c")));

        Schema ss = DebeziumFixtures.rowBuilder("public", "shipments")
                .field("id", Schema.STRING_SCHEMA)
                .field("order_id", Schema.OPTIONAL_INT32_SCHEMA)
                .field("item_no", Schema.OPTIONAL_INT32_SCHEMA)
                .build();
        Table sh = DebeziumFixtures.table("public", "shipments", ss, "id");
        r.add(sh.insert(sh.row("id", "s:1", "order_id", 1, "item_no", 1)));
        r.add(sh.insert(sh.row("id", "s:2", "order_id", 1, "item_no", null)));
        return r;
    }
}

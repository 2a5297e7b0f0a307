package io.drasi.source.postgres.mapping;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.data.VariableScaleDecimal;
import io.drasi.source.postgres.mapping.DebeziumFixtures.Table;
import io.drasi.source.postgres.mapping.json.SeedJson;
import io.drasi.source.postgres.mapping.model.SourceChange;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Debezium records → ChangeMapper → SeedJson, compared with golden JSON-lines files. */
class ChangeMapperGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChangeMapper mapper = new ChangeMapper("pg-source", TableKeys.none(), PgValueConverter.DEFAULT);

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

    static String render(ChangeMapper mapper, List<SourceRecord> records) {
        StringBuilder sb = new StringBuilder();
        for (SourceRecord r : records) {
            MappedRecord m = mapper.map(r);
            ObjectNode n = JSON.createObjectNode();
            n.put("kind", m.kind().name());
            n.put("table", m.table() == null ? null : m.table().toString());
            n.putPOJO("unavailable", new ArrayList<>(m.unavailableProperties()));
            n.putPOJO("lsn", m.lsn());
            n.putPOJO("txId", m.txId());
            n.putPOJO("tsMs", m.tsMs());
            n.putPOJO("commitLsn", m.commitLsn());
            n.put("transactionId", m.transactionId());
            sb.append("{\"record\":").append(n).append("}\n");
            for (SourceChange c : m.changes()) {
                sb.append(SeedJson.encode(c)).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void map_everyValueTableRow_matchesGolden() {
        Table t = DebeziumFixtures.table("public", "all_types", ValueTableFixture.rowSchema(), "id");
        Struct row = new Struct(t.rowSchema);
        for (ValueTableFixture.Column c : ValueTableFixture.columns()) {
            row.put(c.name(), c.connectValue());
        }
        Golden.assertMatches("all_types_insert.jsonl", render(mapper, List.of(t.insert(row))));
    }

    @Test
    void map_everyValueTableRowExactNumerics_matchesGolden() {
        ChangeMapper exact = new ChangeMapper("pg-source", TableKeys.none(), new PgValueConverter(PgValueConverter.NumericMode.EXACT_STRING));
        Table t = DebeziumFixtures.table("public", "all_types", ValueTableFixture.rowSchema(), "id");
        Struct row = new Struct(t.rowSchema);
        for (ValueTableFixture.Column c : ValueTableFixture.columns()) {
            row.put(c.name(), c.connectValue());
        }
        Golden.assertMatches("all_types_insert_exact_numeric.jsonl", render(exact, List.of(t.insert(row))));
    }

    @Test
    void map_everyOp_matchesGolden() {
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
        Golden.assertMatches("ops.jsonl", render(mapper, records));
    }

    @Test
    void map_compositeKeyAndKeyChanges_matchesGolden() {
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
        Golden.assertMatches("composite_key_and_key_change.jsonl", render(mapper, records));
    }

    @Test
    void map_unchangedToastPlaceholders_omittedAndReported() {
        Schema s = DebeziumFixtures.rowBuilder("public", "docs")
                .field("id", Schema.INT32_SCHEMA)
                .field("title", Schema.OPTIONAL_STRING_SCHEMA)
                .field("body", Schema.OPTIONAL_STRING_SCHEMA)
                .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
                .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
                .field("scores", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build())
                .field("doc", io.debezium.data.Json.builder().optional().build())
                .build();
        Table t = DebeziumFixtures.table("public", "docs", s, "id");
        byte[] placeholder = PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);
        List<Integer> intPlaceholder = new ArrayList<>();
        for (byte b : placeholder) {
            intPlaceholder.add((int) b);
        }
        Struct after = t.row("id", 7, "title", "new title",
                "body", PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER,
                "blob", placeholder,
                "tags", List.of(PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER),
                "scores", intPlaceholder,
                "doc", PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER);
        Golden.assertMatches("unchanged_toast.jsonl", render(mapper, List.of(t.update(null, after))));
    }

    @Test
    void map_configuredKeysAndHostileNames_matchesGolden() {
        Schema s = DebeziumFixtures.rowBuilder("My Schema", "Odd.Table:1")
                .field("code", Schema.STRING_SCHEMA)
                .field("region", Schema.STRING_SCHEMA)
                .field("note", Schema.OPTIONAL_STRING_SCHEMA)
                .build();
        Table t = DebeziumFixtures.table("My Schema", "Odd.Table:1", s); // no primary key
        ChangeMapper configured = new ChangeMapper("pg-source",
                TableKeys.of(Map.of("\"My Schema\".\"Odd.Table:1\"", List.of("region", "code"))), PgValueConverter.DEFAULT);
        List<SourceRecord> records = List.of(
                t.insert(t.row("code", "a:b", "region", "100%", "note", "x")),
                t.insert(t.row("code", "", "region", "ü", "note", null)));
        Golden.assertMatches("configured_keys_hostile_names.jsonl", render(configured, records));
    }
}

package io.drasi.source.postgres.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.mapping.GoldenCases;
import io.drasi.source.postgres.model.TableId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DrasiChangeTransformTest {

    private static Map<String, String> base() {
        Map<String, String> p = new HashMap<>();
        p.put("source.id", "pg-source");
        return p;
    }

    @Test
    void serviceLoader_findsTheTransform() {
        @SuppressWarnings("rawtypes")
        ServiceLoader<Transformation> loader = ServiceLoader.load(Transformation.class);
        assertThat(loader.stream().map(ServiceLoader.Provider::type)).anyMatch(t -> t == DrasiChangeTransform.class);
    }

    @Test
    void configure_defaults_seedJsonFailFail() {
        DrasiTransformConfig c = DrasiTransformConfig.parse(base());
        assertThat(c.sourceId()).isEqualTo("pg-source");
        assertThat(c.format()).isEqualTo(DrasiTransformConfig.Format.SEED);
        assertThat(c.valueType()).isEqualTo(DrasiTransformConfig.ValueType.JSON);
        assertThat(c.truncateHandling()).isEqualTo(DrasiTransformConfig.TruncateHandling.FAIL);
        assertThat(c.unavailableHandling()).isEqualTo(DrasiTransformConfig.UnavailableHandling.FAIL);
        assertThat(c.decimalAsString()).isFalse();
        assertThat(c.tableKeys().configured(TableId.of("public", "users"))).isEmpty();
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        assertThat(t.config().names())
                .containsExactlyInAnyOrder(
                        "source.id",
                        "table.keys",
                        "decimal.as.string",
                        "drasi.format",
                        "drasi.value.type",
                        "drasi.truncate.handling",
                        "drasi.unavailable.handling");
        assertThat(t.version()).isNotBlank();
    }

    @Test
    void configure_everyProblem_reportedAtOnceWithKeyNames() {
        // source.id missing and every other key invalid: the one message names each of them
        Map<String, String> invalid = Map.of(
                "drasi.format", "avro",
                "drasi.value.type", "bytes",
                "table.keys", "users",
                "decimal.as.string", "maybe",
                "drasi.truncate.handling", "ignore",
                "drasi.unavailable.handling", "reread");
        assertThatThrownBy(() -> new DrasiChangeTransform<SourceRecord>().configure(invalid))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("source.id: ")
                .satisfies(e -> assertThat(e.getMessage())
                        .contains(
                                invalid.keySet().stream().map(key -> key + ": ").toList()));
    }

    @Test
    void configure_emitTruncateWithPlatformFormat_rejected() {
        Map<String, String> p = base();
        p.put("drasi.format", "PLATFORM");
        p.put("drasi.truncate.handling", "emit");
        assertThatThrownBy(() -> DrasiTransformConfig.parse(p))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("drasi.truncate.handling: 'emit' needs drasi.format=seed");
    }

    @Test
    void configure_hostFormat_jsonWithFailOrDrop() {
        Map<String, String> p = base();
        p.put("drasi.format", "Host");
        p.put("drasi.truncate.handling", "drop");
        assertThat(DrasiTransformConfig.parse(p).format()).isEqualTo(DrasiTransformConfig.Format.HOST);
    }

    @Test
    void configure_hostFormatWithEmitAndStruct_bothRejectedNamingTheFix() {
        Map<String, String> p = base();
        p.put("drasi.format", "host");
        p.put("drasi.truncate.handling", "emit");
        p.put("drasi.value.type", "struct");
        assertThatThrownBy(() -> DrasiTransformConfig.parse(p))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "drasi.truncate.handling: 'emit' needs drasi.format=seed: the drasi-server HTTP source"
                                + " has no TRUNCATE event")
                .hasMessageContaining("drasi.value.type: 'struct' needs drasi.format=seed or platform")
                .hasMessageContaining("debezium.format.value=simplestring");
    }

    @Test
    void apply_hostFormat_insertUpdateDeleteAsDrasiServerHttpEvents() {
        Map<String, String> p = base();
        p.put("drasi.format", "host");
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(p);
        List<SourceRecord> ops = GoldenCases.everyOp().records();
        List<String> values = new ArrayList<>();
        for (SourceRecord r : ops.subList(0, 6)) { // up to the TRUNCATE
            SourceRecord out = t.apply(r);
            if (out != null) {
                assertThat(out.valueSchema()).isEqualTo(Schema.STRING_SCHEMA);
                values.add((String) out.value());
            }
        }
        String users = "\"labels\":[\"users\"]";
        String ts = ",\"timestamp\":1699900000123000000}"; // effective_from (ms) in ns
        assertThat(values)
                .containsExactly(
                        "{\"operation\":\"insert\",\"element\":{\"type\":\"node\",\"id\":\"public:users:2\"," + users
                                + ",\"properties\":{\"id\":2,\"name\":\"Bob\",\"email\":null,\"age\":null}}" + ts,
                        "{\"operation\":\"insert\",\"element\":{\"type\":\"node\",\"id\":\"public:users:1\"," + users
                                + ",\"properties\":{\"id\":1,\"name\":\"Alice\",\"email\":\"alice@example.com\","
                                + "\"age\":30}}"
                                + ts,
                        "{\"operation\":\"update\",\"element\":{\"type\":\"node\",\"id\":\"public:users:1\"," + users
                                + ",\"properties\":{\"id\":1,\"name\":\"Alice\",\"email\":\"alice@new.example.com\","
                                + "\"age\":31}}"
                                + ts,
                        "{\"operation\":\"delete\",\"id\":\"public:users:1\"," + users + ts);
        assertThatThrownBy(() -> t.apply(ops.get(6)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("TRUNCATE of public.users");
    }

    @Test
    void apply_afterClose_illegalStateNamingIt() {
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(base());
        t.close();
        assertThatThrownBy(() -> t.apply(GoldenCases.everyOp().records().get(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after close()");
    }

    @Test
    void configure_blankSourceId_rejected() {
        Map<String, String> p = base();
        p.put("source.id", " ");
        assertThatThrownBy(() -> DrasiTransformConfig.parse(p)).hasMessageContaining("source.id: ");
    }

    @Test
    void tableKeys_syntax_parsedLikeTheLibrary() {
        Map<TableId, List<String>> k = TableKeysSpec.parse(" users:id ; sales.orders:order_id, line_no;\"My "
                + "Schema\".\"Odd.Table:1\":region,\"co,de\";Caps:\"Id\";");
        assertThat(k)
                .containsEntry(TableId.parse("users"), List.of("id"))
                .containsEntry(TableId.of("sales", "orders"), List.of("order_id", "line_no"))
                .containsEntry(TableId.of("My Schema", "Odd.Table:1"), List.of("region", "co,de"))
                .containsEntry(TableId.parse("caps"), List.of("Id"))
                .hasSize(4);
        assertThat(TableKeysSpec.parse("")).isEmpty();
        assertThat(TableKeysSpec.parse(null)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "users",
                "users:",
                ":id",
                "users:id,",
                "users:id;users:name",
                "a.b.c:id",
                "\"users:id",
                "users:id,id",
                "users:\"i\"d\""
            })
    void tableKeys_malformed_configExceptionNamingTheKey(String value) {
        Map<String, String> p = base();
        p.put("table.keys", value);
        assertThatThrownBy(() -> DrasiTransformConfig.parse(p))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("table.keys: ");
    }

    @Test
    void apply_beforeConfigure_illegalState() {
        assertThatThrownBy(() -> new DrasiChangeTransform<SourceRecord>()
                        .apply(GoldenCases.everyOp().records().get(1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void apply_truncateWithDefaultHandling_failsNamingTheOptions() {
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(base());
        SourceRecord truncate = GoldenCases.everyOp().records().get(6);
        assertThatThrownBy(() -> t.apply(truncate))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("TRUNCATE of public.users")
                .hasMessageContaining("drasi.truncate.handling=emit");
    }

    @Test
    void apply_notADebeziumRecord_dataException() {
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(base());
        SourceRecord other = new SourceRecord(null, null, "t", null, null, null, Schema.STRING_SCHEMA, "hello");
        assertThatThrownBy(() -> t.apply(other))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("topic 't'");
    }

    @Test
    void apply_tableWithoutKey_dataExceptionNamingTheTable() {
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(base()); // no table.keys for the key-less table of this case
        SourceRecord r = GoldenCases.configuredKeysHostileNames().records().get(0);
        assertThatThrownBy(() -> t.apply(r)).isInstanceOf(DataException.class).hasMessageContaining("Odd.Table:1");
    }

    @Test
    void apply_sinkRecordFromDebeziumTopic_mappedToo() {
        DrasiChangeTransform<SinkRecord> t = new DrasiChangeTransform<>();
        t.configure(base());
        SourceRecord src = GoldenCases.everyOp().records().get(2); // insert of Alice
        SinkRecord in = new SinkRecord(src.topic(), 3, src.keySchema(), src.key(), src.valueSchema(), src.value(), 42L);
        SinkRecord out = t.apply(in);
        assertThat(out.key()).isEqualTo("public:users:1");
        assertThat(out.kafkaPartition()).isEqualTo(3);
        assertThat(out.kafkaOffset()).isEqualTo(42L);
        assertThat((String) out.value()).startsWith("{\"type\":\"Insert\"");
    }

    @Test
    void structSchemas_fixedPerFormat_validate() {
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        Map<String, String> p = base();
        p.put("drasi.value.type", "struct");
        t.configure(p);
        SourceRecord a = t.apply(GoldenCases.everyOp().records().get(2));
        SourceRecord b = t.apply(GoldenCases.allTypes().records().get(0));
        assertThat(a.valueSchema()).isSameAs(b.valueSchema()).isSameAs(DrasiStructs.SEED);
        ((Struct) b.value()).validate();
        Struct props = ((Struct) b.value()).getStruct("element");
        assertThat(props.getMap("properties"))
                .containsEntry("c_text", "\"héllo: wörld 100% ✓\"")
                .containsEntry("id", "1");
        assertThat(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA)
                        .build()
                        .type())
                .isEqualTo(DrasiStructs.PROPERTIES.type());
    }
}

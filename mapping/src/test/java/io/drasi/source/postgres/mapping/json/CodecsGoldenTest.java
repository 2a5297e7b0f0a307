package io.drasi.source.postgres.mapping.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.Golden;
import io.drasi.source.postgres.mapping.GoldenCases;
import io.drasi.source.postgres.mapping.MappingException;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CodecsGoldenTest {

    static final long TS = 1_699_900_000_000L;

    static ElementMetadata meta(String key) {
        return new ElementMetadata(ElementId.of("public", "users", List.of(key)), "pg-source", List.of("users"), TS);
    }

    static Map<String, ElementValue> props() {
        Map<String, ElementValue> p = new LinkedHashMap<>();
        p.put("id", ElementValue.of(1));
        p.put("name", ElementValue.of("Alice \"A\" ü"));
        p.put("email", ElementValue.of("alice@example.com"));
        p.put("age", ElementValue.of(30));
        p.put("score", new ElementValue.FloatValue(9.5));
        p.put("active", ElementValue.TRUE);
        p.put("nick", ElementValue.NULL);
        p.put("tags", new ElementValue.ListValue(List.of(ElementValue.of("a"), ElementValue.of(2))));
        p.put("doc", new ElementValue.ObjectValue(Map.of("k", ElementValue.FALSE)));
        return p;
    }

    static List<SourceChange> changes() {
        return List.of(
                new SourceChange.Insert(new Node(meta("1"), props())),
                new SourceChange.Update(new Node(meta("1"), Map.of("id", ElementValue.of(1)))),
                new SourceChange.Delete(meta("1")));
    }

    @Test
    void seedJson_insertUpdateDeleteTruncate_matchesGoldenAndRoundTrips() {
        StringBuilder sb = new StringBuilder();
        List<SourceChange> all = new java.util.ArrayList<>(changes());
        all.add(new SourceChange.Truncate("public", "users", "pg-source", TS));
        for (SourceChange c : all) {
            String json = SeedJson.encode(c);
            sb.append(json).append('\n');
            assertThat(SeedJson.decode(json)).isEqualTo(c);
        }
        Golden.assertMatches("seed.jsonl", sb.toString());
    }

    @Test
    void seedJson_contractExample_decodes() {
        String example = "{\"type\":\"Insert\",\"element\":{\"metadata\":{\"element_id\":\"public:users:1\","
                + "\"source_id\":\"pg-source\","
                + "\"labels\":[\"users\"],\"effective_from\":1699900000000},\"properties\":{\"id\":1,"
                + "\"name\":\"Alice\","
                + "\"email\":\"alice@example.com\",\"age\":30}}}";
        SourceChange c = SeedJson.decode(example);
        assertThat(c).isInstanceOf(SourceChange.Insert.class);
        assertThat(SeedJson.encode(c)).isEqualTo(example);
        assertThat(c.effectiveFromMs()).isEqualTo(1_699_900_000_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "{\"type\":\"Upsert\"}", "{\"type\":\"Insert\"}", "not json", "{\"type\":1}"})
    void seedJson_decodeMalformed_mappingException(String json) {
        assertThatThrownBy(() -> SeedJson.decode(json)).isInstanceOf(MappingException.class);
    }

    /** @return each change encoded by {@code encode}, one line each */
    static String lines(List<SourceChange> changes, Function<SourceChange, String> encode) {
        StringBuilder sb = new StringBuilder();
        for (SourceChange c : changes) {
            sb.append(encode.apply(c)).append('\n');
        }
        return sb.toString();
    }

    static String platformWire(SourceChange c) {
        return PlatformWireJson.encode(c, 23_456_789L, 1_699_900_000_100_000_000L, 1_699_900_000_200_000_000L, "shop");
    }

    static Stream<Arguments> oneLinePerChangeGoldens() {
        Function<SourceChange, String> platform = CodecsGoldenTest::platformWire;
        Function<SourceChange, String> host = HostPushJson::encode;
        Function<SourceChange, String> languageHost = LanguageHostJson::encode;
        return Stream.of(
                Arguments.of("platform_wire.jsonl", changes(), platform),
                Arguments.of("language_host.jsonl", changes(), languageHost),
                Arguments.of("relations_host_push.jsonl", relationChanges(), host),
                Arguments.of("relations_platform_wire.jsonl", relationChanges(), platform));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oneLinePerChangeGoldens")
    void encode_oneLinePerChange_matchesGolden(
            String golden, List<SourceChange> changes, Function<SourceChange, String> encode) {
        Golden.assertMatches(golden, lines(changes, encode));
    }

    @Test
    void hostPushJson_eventsAndBatch_matchesGolden() {
        Golden.assertMatches(
                "host_push.jsonl", lines(changes(), HostPushJson::encode) + HostPushJson.encodeBatch(changes()) + "\n");
    }

    @Test
    void jsonLines_seedPlatformHost_sameBytesAsTheGoldenLines() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        JsonLines lines = new JsonLines(bytes);
        List<SourceChange> all = new java.util.ArrayList<>(changes());
        all.add(new SourceChange.Truncate("public", "users", "pg-source", TS));
        all.forEach(lines::seed);
        lines.flush();
        Golden.assertMatches("seed.jsonl", bytes.toString(java.nio.charset.StandardCharsets.UTF_8));

        bytes.reset();
        for (SourceChange c : changes()) {
            lines.platform(c, 23_456_789L, 1_699_900_000_100_000_000L, 1_699_900_000_200_000_000L, "shop");
        }
        lines.flush();
        Golden.assertMatches("platform_wire.jsonl", bytes.toString(java.nio.charset.StandardCharsets.UTF_8));

        bytes.reset();
        StringBuilder expected = new StringBuilder();
        for (SourceChange c : changes()) {
            lines.host(c);
            expected.append(HostPushJson.encode(c)).append('\n');
        }
        assertThatThrownBy(() -> lines.host(all.get(3))).isInstanceOf(IllegalArgumentException.class);
        lines.raw("{\"raw\":true}");
        lines.flush();
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(expected + "{\"raw\":true}\n"); // the refused TRUNCATE wrote nothing
    }

    @Test
    void hostCodecs_truncate_rejected() {
        SourceChange t = new SourceChange.Truncate("public", "users", "pg-source", TS);
        assertThatThrownBy(() -> PlatformWireJson.encode(t, 1, 2, 3, "db"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostPushJson.encode(t)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostPushJson.encodeBatch(List.of(t))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LanguageHostJson.encode(t)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void elementValueJson_parseScalarsAndStructures_values() {
        assertThat(ElementValueJson.parse("null")).isEqualTo(ElementValue.NULL);
        assertThat(ElementValueJson.parse("12345678901234567890"))
                .isEqualTo(new ElementValue.FloatValue(1.2345678901234567E19));
        assertThat(ElementValueJson.parse("\"s\"")).isEqualTo(ElementValue.of("s"));
        assertThat(ElementValueJson.parse("{\"a\":{\"b\":[]}}"))
                .isEqualTo(new ElementValue.ObjectValue(
                        Map.of("a", new ElementValue.ObjectValue(Map.of("b", new ElementValue.ListValue(List.of()))))));
        assertThatThrownBy(() -> ElementValueJson.parse("")).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> ElementValueJson.parse("{} 1")).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> ElementValueJson.parse("{\"a\":")).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> ElementValueJson.parse("x".repeat(300)))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("...");
    }

    /** The relation changes the mapper emits for every foreign-key rule (see GoldenCases.foreignKeyRecords). */
    static List<SourceChange> relationChanges() {
        ChangeMapper mapper = GoldenCases.foreignKeyMapper();
        List<SourceChange> out = new java.util.ArrayList<>();
        for (var r : GoldenCases.foreignKeyRecords()) {
            mapper.map(r).changes().stream()
                    .filter(c -> c instanceof SourceChange.RelationChange)
                    .forEach(out::add);
        }
        return out;
    }

    @Test
    void seedJson_relations_roundTripExceptDeleteKind() {
        for (SourceChange c : relationChanges()) {
            SourceChange decoded = SeedJson.decode(SeedJson.encode(c));
            if (c instanceof SourceChange.RelationDelete d) {
                // Drasi deletes by id: a relation's delete reads back as a Delete with the same metadata
                assertThat(decoded).isEqualTo(new SourceChange.Delete(d.metadata()));
            } else {
                assertThat(decoded).isEqualTo(c);
            }
        }
    }

    @Test
    void languageHostJson_relation_rejectedNamingTheFix() {
        assertThatThrownBy(() -> LanguageHostJson.encode(relationChanges().get(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("foreign_key_relations");
    }
}

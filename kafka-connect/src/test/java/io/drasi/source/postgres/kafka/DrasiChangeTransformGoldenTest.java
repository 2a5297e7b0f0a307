package io.drasi.source.postgres.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.mapping.Golden;
import io.drasi.source.postgres.mapping.GoldenCases;
import io.drasi.source.postgres.mapping.json.HostPushJson;
import io.drasi.source.postgres.mapping.json.PlatformWireJson;
import io.drasi.source.postgres.mapping.json.SeedJson;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.SourceChange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mapping module's golden cases (same Debezium-shaped records, same golden files, from its test-jar)
 * through the SMT: every record yields exactly the golden seed change (or platform change derived from
 * it), keyed by its element id; records that yield no change are dropped; the two cases an SMT cannot
 * express as one record (a single {@code u} whose Drasi id changes; unchanged TOAST with
 * {@code drasi.unavailable.handling=fail}) fail with a {@link DataException}.
 */
class DrasiChangeTransformGoldenTest {

    static Stream<GoldenCases.Case> cases() {
        return GoldenCases.all().stream();
    }

    static Map<String, String> props(
            GoldenCases.Case c, String format, String valueType, String truncate, String unavailable) {
        Map<String, String> p = new HashMap<>();
        p.put("source.id", c.sourceId());
        p.put(
                "table.keys",
                c.tableKeys().entrySet().stream()
                        .map(e -> e.getKey() + ":" + String.join(",", e.getValue()))
                        .collect(Collectors.joining(";")));
        p.put("decimal.as.string", String.valueOf(c.exactNumeric()));
        p.put("drasi.format", format);
        p.put("drasi.value.type", valueType);
        p.put("drasi.truncate.handling", truncate);
        p.put("drasi.unavailable.handling", unavailable);
        return p;
    }

    static DrasiChangeTransform<SourceRecord> smt(Map<String, String> props) {
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(props);
        return t;
    }

    static String expectedKey(SourceChange c) {
        return c.fold(
                i -> i.element().metadata().elementId().value(),
                u -> u.element().metadata().elementId().value(),
                d -> d.metadata().elementId().value(),
                t -> ElementId.prefix(t.tableId()),
                r -> r.metadata().elementId().value());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void seedJson_everyGoldenRecord_goldenChangeKeyedByElementId(GoldenCases.Case c) {
        DrasiChangeTransform<SourceRecord> smt = smt(props(c, "seed", "json", "emit", "omit"));
        for (GoldenFile.Group g : GoldenFile.groups(c)) {
            int i = g.index();
            SourceRecord in = g.record();
            if (g.changes().isEmpty()) {
                assertThat(smt.apply(in))
                        .as("%s record %d dropped", c.file(), i)
                        .isNull();
            } else if (g.changes().size() == 2) {
                assertThatThrownBy(() -> smt.apply(in))
                        .as("%s record %d", c.file(), i)
                        .isInstanceOf(DataException.class)
                        .hasMessageContaining("message.key.columns");
            } else {
                SourceRecord out = smt.apply(in);
                String expected = g.changes().get(0);
                assertThat(out.value()).as("%s record %d", c.file(), i).isEqualTo(expected);
                assertThat(out.valueSchema()).isEqualTo(Schema.STRING_SCHEMA);
                assertThat(out.keySchema()).isEqualTo(Schema.STRING_SCHEMA);
                assertThat(out.key()).isEqualTo(expectedKey(SeedJson.decode(expected)));
                assertThat(out.topic()).isEqualTo(in.topic());
                assertThat(out.sourcePartition()).isEqualTo(in.sourcePartition());
                assertThat(out.sourceOffset()).isEqualTo(in.sourceOffset());
                assertThat(out.timestamp()).isEqualTo(in.timestamp());
                assertThat((String) out.value()).doesNotContain("__debezium_unavailable_value");
                Header h = out.headers().lastWithName(DrasiChangeTransform.UNAVAILABLE_HEADER);
                assertThat(h != null).isEqualTo(g.hasUnavailable());
            }
        }
        smt.close();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void seedStruct_everyGoldenRecord_sameChangeAsJson(GoldenCases.Case c) {
        DrasiChangeTransform<SourceRecord> smt = smt(props(c, "seed", "struct", "emit", "omit"));
        for (GoldenFile.Group g : GoldenFile.groups(c)) {
            if (g.changes().size() != 1) {
                continue; // covered by the JSON test
            }
            SourceRecord out = smt.apply(g.record());
            assertThat(out.valueSchema()).isEqualTo(DrasiStructs.SEED);
            assertThat(StructsToJson.seedJson((Struct) out.value()))
                    .as("%s record %d", c.file(), g.index())
                    .isEqualTo(g.changes().get(0));
            assertThat(out.key())
                    .isEqualTo(expectedKey(SeedJson.decode(g.changes().get(0))));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void platform_everyGoldenRecord_wireFormOfTheGoldenChange(GoldenCases.Case c) {
        DrasiChangeTransform<SourceRecord> json = smt(props(c, "platform", "json", "drop", "omit"));
        DrasiChangeTransform<SourceRecord> struct = smt(props(c, "platform", "struct", "drop", "omit"));
        for (GoldenFile.Group g : GoldenFile.groups(c)) {
            SourceRecord in = g.record();
            if (g.changes().size() != 1) {
                continue;
            }
            SourceChange expected = SeedJson.decode(g.changes().get(0));
            SourceRecord outJson = json.apply(in);
            SourceRecord outStruct = struct.apply(in);
            if (expected instanceof SourceChange.Truncate) {
                assertThat(outJson).isNull(); // drasi.truncate.handling=drop
                assertThat(outStruct).isNull();
                continue;
            }
            Struct source = ((Struct) in.value()).getStruct("source");
            String want = normaliseTimes(
                    PlatformWireJson.encode(expected, source.getInt64("lsn"), 0, 0, source.getString("db")));
            assertThat(normaliseTimes((String) outJson.value()))
                    .as("%s record %d", c.file(), g.index())
                    .isEqualTo(want);
            assertThat(normaliseTimes(StructsToJson.platformJson((Struct) outStruct.value(), c.sourceId())))
                    .isEqualTo(want);
            assertThat(outJson.key()).isEqualTo(expectedKey(expected)).isEqualTo(outStruct.key());
        }
    }

    /**
     * {@code drasi.format=host}: every record's output (key and value, or dropped, or the failure) is the golden file
     * {@code golden/smt_host_<case>} of this module, and each value is what {@link HostPushJson} (the writer of the
     * library's HTTP sink) writes for the mapping golden change of that record.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void host_everyGoldenRecord_goldenHostEventKeyedByElementId(GoldenCases.Case c) {
        DrasiChangeTransform<SourceRecord> smt = smt(props(c, "host", "json", "drop", "omit"));
        StringBuilder golden = new StringBuilder();
        List<GoldenFile.Group> groups = GoldenFile.groups(c);
        for (int i = 0; i < groups.size(); i++) {
            SourceRecord in = c.records().get(i);
            GoldenFile.Group g = groups.get(i);
            golden.append(hostLine(smt, in)).append('\n');
            if (g.changes().size() == 1 && !(SeedJson.decode(g.changes().get(0)) instanceof SourceChange.Truncate)) {
                SourceChange expected = SeedJson.decode(g.changes().get(0));
                SourceRecord out = smt.apply(in);
                assertThat(out.value()).as("%s record %d", c.file(), i).isEqualTo(HostPushJson.encode(expected));
                assertThat(out.valueSchema()).isEqualTo(Schema.STRING_SCHEMA);
                assertThat(out.key()).isEqualTo(expectedKey(expected));
                assertThat(out.headers().lastWithName(DrasiChangeTransform.UNAVAILABLE_HEADER) != null)
                        .isEqualTo(g.hasUnavailable());
            }
        }
        Golden.assertMatches("smt_host_" + c.file(), golden.toString());
    }

    /** One golden line: {@code key<TAB>value}, {@code dropped}, or {@code DataException: message}. */
    static String hostLine(DrasiChangeTransform<SourceRecord> smt, SourceRecord in) {
        try {
            SourceRecord out = smt.apply(in);
            return out == null ? "dropped" : out.key() + "\t" + out.value();
        } catch (DataException e) {
            return "DataException: " + e.getMessage();
        }
    }

    /**
     * Debezium Server 3.6 applies the transform to a batch's records on several threads at once: one instance,
     * every golden record of every case applied concurrently in shuffled order, gives each record exactly the output
     * it gives alone.
     */
    @Test
    void host_oneInstanceAppliedConcurrently_sameOutputAsSequential() throws Exception {
        // the keys of the hostile-names case (the others use primary keys), exact numerics
        Map<String, String> p = props(GoldenCases.configuredKeysHostileNames(), "host", "json", "drop", "omit");
        p.put("decimal.as.string", "true");
        List<SourceRecord> records = new ArrayList<>();
        for (GoldenCases.Case c : GoldenCases.all()) {
            records.addAll(c.records());
        }
        List<String> sequential = new ArrayList<>();
        DrasiChangeTransform<SourceRecord> alone = smt(p);
        for (SourceRecord r : records) {
            sequential.add(hostLine(alone, r));
        }
        DrasiChangeTransform<SourceRecord> shared = smt(p); // fresh: the caches fill while threads race
        int rounds = 200;
        List<Integer> order = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < records.size(); i++) {
                order.add(i);
            }
        }
        Collections.shuffle(order, new Random(18));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i : order) {
                results.add(pool.submit(() -> hostLine(shared, records.get(i))));
            }
            for (int k = 0; k < order.size(); k++) {
                assertThat(results.get(k).get(30, TimeUnit.SECONDS))
                        .as("record %d", order.get(k))
                        .isEqualTo(sequential.get(order.get(k)));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sequential)
                .anyMatch(l -> l.contains("\"operation\":\"delete\""))
                .anyMatch(l -> l.startsWith("My Schema:Odd.Table%3A1:"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void unavailableFail_recordsWithToastPlaceholders_failNamingTheFix(GoldenCases.Case c) {
        DrasiChangeTransform<SourceRecord> smt = smt(props(c, "seed", "json", "emit", "fail"));
        for (GoldenFile.Group g : GoldenFile.groups(c)) {
            if (g.hasUnavailable()) {
                assertThatThrownBy(() -> smt.apply(g.record()))
                        .isInstanceOf(DataException.class)
                        .hasMessageContaining("REPLICA IDENTITY FULL")
                        .hasMessageContaining("drasi.unavailable.handling=omit");
            } else if (g.changes().size() == 1) {
                assertThat(smt.apply(g.record()).value()).isEqualTo(g.changes().get(0));
            }
        }
    }

    private static String normaliseTimes(String json) {
        return json.replaceAll(
                "\"reactivatorStart_ns\":\\d+,\"reactivatorEnd_ns\":\\d+",
                "\"reactivatorStart_ns\":0,\"reactivatorEnd_ns\":0");
    }
}

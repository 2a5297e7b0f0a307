package io.drasi.source.postgres.mapping;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drasi.source.postgres.mapping.json.SeedJson;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.SourceChange;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Debezium records → ChangeMapper → SeedJson, compared with golden JSON-lines files. */
class ChangeMapperGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** Renders a case with its own mapper configuration and compares it with its golden file. */
    private static void assertCase(GoldenCases.Case c) {
        Golden.assertMatches(c.file(), render(c.mapper(), c.records()));
    }

    @Test
    void map_everyValueTableRow_matchesGolden() {
        assertCase(GoldenCases.allTypes());
    }

    @Test
    void map_everyValueTableRowExactNumerics_matchesGolden() {
        assertCase(GoldenCases.allTypesExactNumeric());
    }

    @Test
    void map_everyOp_matchesGolden() {
        assertCase(GoldenCases.everyOp());
    }

    @Test
    void map_compositeKeyAndKeyChanges_matchesGolden() {
        // includes a REPLICA IDENTITY FULL update with a changed key and Debezium's d + tombstone + c pair
        assertCase(GoldenCases.compositeKeyAndKeyChanges());
    }

    @Test
    void map_unchangedToastPlaceholders_omittedAndReported() {
        assertCase(GoldenCases.unchangedToast());
    }

    @Test
    void map_configuredKeysAndHostileNames_matchesGolden() {
        assertCase(GoldenCases.configuredKeysHostileNames());
    }

    @Test
    void map_foreignKeyRelations_matchesGolden() {
        Golden.assertMatches(
                "foreign_key_relations.jsonl", render(GoldenCases.foreignKeyMapper(), GoldenCases.foreignKeyRecords()));
    }

    @Test
    void map_foreignKeysOff_sameNodesAsWithout() {
        ChangeMapper plain = new ChangeMapper("pg-source", TableKeys.none(), PgValueConverter.DEFAULT);
        ChangeMapper withFks = GoldenCases.foreignKeyMapper();
        for (SourceRecord r : GoldenCases.foreignKeyRecords()) {
            List<SourceChange> nodes = withFks.map(r).changes().stream()
                    .filter(c -> !(c instanceof SourceChange.RelationChange))
                    .toList();
            org.assertj.core.api.Assertions.assertThat(nodes)
                    .isEqualTo(plain.map(r).changes());
        }
    }
}

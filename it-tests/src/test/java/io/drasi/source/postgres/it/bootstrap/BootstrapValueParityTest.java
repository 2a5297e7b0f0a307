package io.drasi.source.postgres.it.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bootstrap path (catalog → PgColumnType, COPY text under the converter's session settings,
 * PgValueConverter.fromText) yields the contract's values, whatever the writer's session settings
 * were. The streaming-side half (same row via Debezium → fromConnect) belongs to the adapter's
 * parity test; see the report.
 */
@ExtendWith(PostgresExtension.class)
class BootstrapValueParityTest {

    @Test
    void everyTypeFamily_convertsToContractValues_independentOfWriterAndDatabaseSettings(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("bs_types");
        db.execute(
                "CREATE TYPE mood AS ENUM ('sad', 'happy')",
                "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                "CREATE SCHEMA other",
                "CREATE TABLE other.types (id bigint PRIMARY KEY, i2 smallint, i4 int, f4 real, f8 double precision,"
                        + " fnan float8, num numeric(10,3), b bool, t text, vc varchar(10), bp char(4), u uuid,"
                        + " d date, tm time, ts timestamp, tstz timestamptz, iv interval, j json, jb jsonb, by bytea,"
                        + " ia int[], ta text[], m mood, dom posint, inet inet, bits bit(4), x xml, r int4range,"
                        + " gen int GENERATED ALWAYS AS (i4 * 2) STORED, nul text)");
        // hostile database defaults: the reader must apply the converter's session settings itself
        db.execute(
                "ALTER DATABASE " + db.database() + " SET TimeZone = 'America/New_York'",
                "ALTER DATABASE " + db.database() + " SET IntervalStyle = 'sql_standard'",
                "ALTER DATABASE " + db.database() + " SET bytea_output = 'escape'",
                "ALTER DATABASE " + db.database() + " SET extra_float_digits = 0");
        db.executeInTransaction(
                "SET LOCAL TimeZone = 'Asia/Kolkata'",
                "INSERT INTO other.types VALUES (1, 7, -42, 1.5, 0.1, 'NaN', 12.500, true, 'héllo', 'v', 'ab',"
                        + " 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '2024-02-29', '13:14:15.5', '2024-02-29 "
                        + "13:14:15.123456',"
                        + " '2024-02-29 13:14:15+05:30', '1 year 2 mons 3 days 04:05:06.5', '{\"a\":[1,2]}', "
                        + "'{\"k\": true}',"
                        + " '\\x0102ff', '{1,NULL,3}', '{\"a,b\",c}', 'happy', 5, '10.0.0.1/8', B'1010', '<a>x</a>',"
                        + " '[1,5)', DEFAULT, NULL)");
        List<SourceChange.Insert> rows = new java.util.ArrayList<>();
        Bootstraps.provider(db, TableId.of("other", "types")).build().bootstrapWithTemporarySlot(Set.of(), rows::add);
        assertThat(rows).hasSize(1);
        Map<String, ElementValue> p = rows.get(0).element().properties();
        assertThat(rows.get(0).element().metadata().elementId().toString()).isEqualTo("other:types:1");

        Map<String, ElementValue> expected = new LinkedHashMap<>();
        expected.put("id", ElementValue.of(1));
        expected.put("i2", ElementValue.of(7));
        expected.put("i4", ElementValue.of(-42));
        expected.put("f4", new ElementValue.FloatValue(1.5));
        expected.put("f8", new ElementValue.FloatValue(0.1));
        expected.put("fnan", ElementValue.of("NaN"));
        expected.put("num", new ElementValue.FloatValue(12.5));
        expected.put("b", ElementValue.TRUE);
        expected.put("t", ElementValue.of("héllo"));
        expected.put("vc", ElementValue.of("v"));
        expected.put("bp", ElementValue.of("ab  "));
        expected.put("u", ElementValue.of("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        expected.put("d", ElementValue.of("2024-02-29"));
        expected.put("tm", ElementValue.of("13:14:15.5"));
        expected.put("ts", ElementValue.of("2024-02-29T13:14:15.123456"));
        expected.put("tstz", ElementValue.of("2024-02-29T07:44:15Z"));
        expected.put("iv", ElementValue.of("P1Y2M3DT4H5M6.5S"));
        expected.put(
                "j",
                new ElementValue.ObjectValue(
                        Map.of("a", new ElementValue.ListValue(List.of(ElementValue.of(1), ElementValue.of(2))))));
        expected.put("jb", new ElementValue.ObjectValue(Map.of("k", ElementValue.TRUE)));
        expected.put("by", ElementValue.of("AQL/"));
        expected.put(
                "ia", new ElementValue.ListValue(List.of(ElementValue.of(1), ElementValue.NULL, ElementValue.of(3))));
        expected.put("ta", new ElementValue.ListValue(List.of(ElementValue.of("a,b"), ElementValue.of("c"))));
        expected.put("m", ElementValue.of("happy"));
        expected.put("dom", ElementValue.of(5));
        expected.put("inet", ElementValue.of("10.0.0.1/8"));
        expected.put("bits", ElementValue.of("1010"));
        expected.put("x", ElementValue.of("<a>x</a>"));
        expected.put("r", ElementValue.of("[1,5)"));
        expected.put("gen", ElementValue.of(-84));
        expected.put("nul", ElementValue.NULL);
        // stored generated columns are properties (the stream publishes or re-reads them: GeneratedColumnsTest)
        assertThat(p.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((k, v) -> assertThat(p.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void keyRendering_sameForEveryKeyType_asTheConverterDefines(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("bs_keytypes");
        db.execute(
                "CREATE TABLE k (n numeric, u uuid, d date, ts timestamptz, t text, PRIMARY KEY (n, u, d, ts, t))",
                "INSERT INTO k VALUES (1.50, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '2024-01-02',"
                        + " '2024-01-02 03:04:05+02', 'x:y%z')");
        List<SourceChange.Insert> rows = new java.util.ArrayList<>();
        Bootstraps.provider(db, TableId.of("public", "k")).build().bootstrapWithTemporarySlot(Set.of(), rows::add);
        assertThat(rows.get(0).element().metadata().elementId().toString())
                .isEqualTo("public:k:1.5:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11:2024-01-02:"
                        + "2024-01-02T01%3A04%3A05Z:x%3Ay%25z");
    }
}

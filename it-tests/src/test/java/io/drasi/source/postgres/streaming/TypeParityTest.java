package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One column of every built-in type family: the value the stream delivers (Debezium → fromConnect) must be
 * identical to the value the bootstrap delivers (COPY text → fromText), and so must the element id.
 */
// pg-matrix: `./mvnw verify` also runs these against PostgreSQL 18 (it-tests/pom.xml, execution pg-matrix)
@Tag("pg-matrix")
@ExtendWith(PostgresExtension.class)
class TypeParityTest {

    private static final String[][] COLUMNS = {
        {"c_int2", "smallint", "-32768"},
        {"c_int4", "integer", "2147483647"},
        {"c_int8", "bigint", "-9223372036854775808"},
        {"c_oid", "oid", "4294967295"},
        {"c_real", "real", "1.1"},
        {"c_double", "double precision", "'-Infinity'"},
        {"c_numeric", "numeric(20,4)", "12345678.1234"},
        {"c_numeric_nan", "numeric", "'NaN'"},
        {"c_money", "money", "1234.56"},
        {"c_bool", "boolean", "true"},
        {"c_text", "text", "E'multi\\nline \"quoted\" \\\\ back'"},
        {"c_varchar", "varchar(20)", "'héllo wörld'"},
        {"c_char", "char(6)", "'ab'"},
        {"c_name", "name", "'a_name'"},
        {"c_uuid", "uuid", "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'"},
        {"c_date", "date", "'2024-02-29'"},
        {"c_time", "time", "'23:59:59.123456'"},
        {"c_timetz", "timetz", "'10:00:00+05:30'"},
        {"c_ts", "timestamp", "'2024-01-01 10:00:00.5'"},
        {"c_tstz_utc", "timestamptz", "'2024-01-01 10:00:00+00'"},
        {"c_tstz_ist", "timestamptz", "'2024-01-01 15:30:00.000001+05:30'"},
        {"c_tstz_neg", "timestamptz", "'2023-12-31 23:00:00-11'"},
        {"c_interval", "interval", "'1 year 2 months 3 days 04:05:06.5'"},
        {"c_json", "json", "'{\"a\": [1, 2.5, \"x\", null, true], \"b\": {\"c\": \"d\"}}'"},
        {"c_jsonb", "jsonb", "'{\"k\": [1, {\"z\": false}]}'"},
        {"c_bytea", "bytea", "'\\xdeadbeef00'::bytea"},
        {"c_int_arr", "integer[]", "'{1,2,NULL,4}'"},
        {"c_text_arr", "text[]", "'{\"a,b\",\"c\\\"d\",NULL}'"},
        {"c_enum", "mood", "'happy'"},
        {"c_domain", "posint", "42"},
        {"c_inet", "inet", "'192.168.0.1/24'"},
        {"c_cidr", "cidr", "'10.0.0.0/8'"},
        {"c_macaddr", "macaddr", "'08:00:2b:01:02:03'"},
        {"c_bit", "bit(4)", "B'1010'"},
        {"c_varbit", "varbit(8)", "B'101'"},
        {"c_xml", "xml", "'<a b=\"1\">x</a>'"},
        {"c_int4range", "int4range", "'[1,10)'"},
        {"c_tstzrange", "tstzrange", "'[2024-01-01 10:00+02,2024-01-02 00:00+00)'"},
        {"c_point", "point", "'(1.5,-2)'"},
        {"c_null", "text", "NULL"},
    };

    @Test
    void everyTypeFamily_streamedEqualsBootstrapped(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("parity");
        StringBuilder ddl = new StringBuilder("CREATE TABLE p (id int PRIMARY KEY");
        StringBuilder values = new StringBuilder("INSERT INTO p VALUES (1");
        for (String[] c : COLUMNS) {
            ddl.append(", ").append(c[0]).append(' ').append(c[1]);
            values.append(", ").append(c[2]);
        }
        db.execute(
                "CREATE TYPE mood AS ENUM ('sad', 'happy')",
                "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                ddl.append(')').toString(),
                // hostile database defaults: the source must not depend on them
                "ALTER DATABASE " + db.database() + " SET TimeZone = 'America/New_York'",
                "ALTER DATABASE " + db.database() + " SET DateStyle = 'SQL, DMY'",
                "ALTER DATABASE " + db.database() + " SET IntervalStyle = 'postgres_verbose'",
                "ALTER DATABASE " + db.database() + " SET extra_float_digits = 0",
                "ALTER DATABASE " + db.database() + " SET bytea_output = 'escape'");
        RecordingSink sink = new RecordingSink();
        Map<String, ElementValue> streamed;
        Map<String, ElementValue> bootstrapped = new LinkedHashMap<>();
        List<String> bootIds = new ArrayList<>();
        try (PostgresReplicationSource source = started("src", config(db, "s_parity", "p"), sink)) {
            db.execute(values.append(')').toString());
            SourceChange change = sink.await(1, Duration.ofSeconds(30)).get(0);
            streamed = StreamingTestSupport.node(change).properties();
            source.bootstrap(
                    Set.of(),
                    insert -> {
                        bootstrapped.putAll(insert.element().properties());
                        bootIds.add(insert.element().metadata().elementId().value());
                    },
                    p -> {});
            assertThat(bootIds).containsExactly(StreamingTestSupport.id(change));
        }
        List<String> diffs = new ArrayList<>();
        for (String column : bootstrapped.keySet()) {
            if (!bootstrapped.get(column).equals(streamed.get(column))) {
                diffs.add(column + ": stream=" + streamed.get(column) + " bootstrap=" + bootstrapped.get(column));
            }
        }
        assertThat(diffs)
                .as("columns whose streamed value differs from the bootstrapped one")
                .isEmpty();
        assertThat(streamed.keySet()).containsExactlyInAnyOrderElementsOf(bootstrapped.keySet());
        // spot checks against the contract's value table
        assertThat(streamed.get("c_tstz_ist")).isEqualTo(new ElementValue.StringValue("2024-01-01T10:00:00.000001Z"));
        assertThat(streamed.get("c_uuid"))
                .isEqualTo(new ElementValue.StringValue("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        assertThat(streamed.get("c_null")).isEqualTo(ElementValue.NULL);
        assertThat(streamed.get("c_domain")).isEqualTo(new ElementValue.IntValue(42));
    }

    /**
     * The five defects a third-party type corpus found (issue 15), each through both paths, with the JVM in a
     * +05:30 zone: the stream died on an unbounded varbit, lost leading zeros of bit strings, delivered numeric
     * arrays as strings, leaked the JVM's zone into tstzrange arrays and re-rendered geometric values with Java's
     * number format.
     */
    @Test
    void corpusDefects_streamEqualsBootstrapEqualsServerText(PostgresServer pg) throws Exception {
        java.util.TimeZone saved = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("Asia/Kolkata"));
        try {
            PostgresServer db = pg.newDatabase("corpus");
            db.execute("CREATE TABLE c (id int PRIMARY KEY, vb varbit, b24 bit(24), vb8 varbit(8), na numeric(10,2)[],"
                    + " nu numeric[], tra tstzrange[], bx box, ci circle, li line, ls lseg, pa path, po polygon)");
            RecordingSink sink = new RecordingSink();
            Map<String, ElementValue> bootstrapped = new LinkedHashMap<>();
            Map<String, ElementValue> streamed;
            try (PostgresReplicationSource source = started("src", config(db, "s_corpus", "c"), sink)) {
                db.execute("INSERT INTO c VALUES (1, B'101', B'000000110000001000000001', B'00101',"
                        + " '{1.20,3.40,5.60}', '{1.20,NaN,-0.5}', ARRAY['[\"2017-06-05 "
                        + "16:59:12.549426+05:30\",)']::tstzrange[],"
                        + " '(1,1),(0,0)', '<(0,0),1>', '{0,1,2}', '[(0,0),(1.5,1e20)]', '[(0,0),(1,1),(2,0)]',"
                        + " '((0,0),(1,1),(1,0))')");
                streamed = StreamingTestSupport.node(
                                sink.await(1, Duration.ofSeconds(30)).get(0))
                        .properties();
                source.bootstrap(
                        Set.of(), insert -> bootstrapped.putAll(insert.element().properties()), p -> {});
            }
            Map<String, ElementValue> expected = new LinkedHashMap<>();
            expected.put("id", ElementValue.of(1));
            expected.put("vb", ElementValue.of("101"));
            expected.put("b24", ElementValue.of("000000110000001000000001"));
            expected.put("vb8", ElementValue.of("00101"));
            expected.put(
                    "na",
                    new ElementValue.ListValue(List.of(
                            new ElementValue.FloatValue(1.2),
                            new ElementValue.FloatValue(3.4),
                            new ElementValue.FloatValue(5.6))));
            expected.put(
                    "nu",
                    new ElementValue.ListValue(List.of(
                            new ElementValue.FloatValue(1.2),
                            ElementValue.of("NaN"),
                            new ElementValue.FloatValue(-0.5))));
            expected.put(
                    "tra", new ElementValue.ListValue(List.of(ElementValue.of("[\"2017-06-05T11:29:12.549426Z\",)"))));
            expected.put("bx", ElementValue.of("(1,1),(0,0)"));
            expected.put("ci", ElementValue.of("<(0,0),1>"));
            expected.put("li", ElementValue.of("{0,1,2}"));
            expected.put("ls", ElementValue.of("[(0,0),(1.5,1e+20)]"));
            expected.put("pa", ElementValue.of("[(0,0),(1,1),(2,0)]"));
            expected.put("po", ElementValue.of("((0,0),(1,1),(1,0))"));
            assertThat(streamed).as("stream").containsExactlyInAnyOrderEntriesOf(expected);
            assertThat(bootstrapped).as("bootstrap").containsExactlyInAnyOrderEntriesOf(expected);
            assertThat(db.queryValue("SELECT ls::text FROM c")).isEqualTo("[(0,0),(1.5,1e+20)]"); // the server's text
        } finally {
            java.util.TimeZone.setDefault(saved);
        }
    }
}

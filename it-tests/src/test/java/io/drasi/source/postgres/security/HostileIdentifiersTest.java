package io.drasi.source.postgres.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.SourceDiagnostics;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.streaming.DrasiState;
import io.drasi.source.postgres.streaming.RecordingSink;
import io.drasi.source.postgres.streaming.StreamingTestSupport;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schema, table and column names with double quotes, spaces, {@code :}, {@code %}, {@code .}, {@code ,},
 * unicode and reserved words, and key values with {@code :} and {@code %} (including the encoded form of
 * another key), end to end on a real PostgreSQL: preflight, publication creation, the first bootstrap
 * (COPY), streaming insert / update / key-changing update / delete, the TOAST re-read by key
 * ({@code RowLookup}, REPLICA IDENTITY DEFAULT), a configured key ({@code table_keys}, Debezium's
 * {@code message.key.columns}), a later temporary-slot bootstrap and {@link SourceDiagnostics}. Ids must be
 * injective and the streamed state must equal a fresh bootstrap's, property for property.
 */
@ExtendWith(PostgresExtension.class)
class HostileIdentifiersTest {

    /** Schema: quote, colon, percent, space, dot, unicode. */
    static final String SCHEMA = "we\"ird: sch%e.ma ü";
    /** A reserved word as table name, with a composite primary key of hostile columns. */
    static final String T_SELECT = "select";
    /** A table without primary key, keyed by table_keys on a hostile column. */
    static final String T_ODD = "Tab le:ü%\"x\"y";

    static final String K1 = "k:ey %\"1\"";
    static final String K2 = "user";
    static final String VAL = "Va lue,\"x\";ö";
    static final String BIG = "to ast.col";
    static final String OK = "order";

    static String q(String ident) {
        return PostgresServer.quoteIdent(ident);
    }

    static String lit(String text) {
        return PostgresServer.quoteLiteral(text);
    }

    static String tableSql(String table) {
        return q(SCHEMA) + "." + q(table);
    }

    /** The config spelling of a table: quoted parts, {@code ""} for a quote. */
    static String configName(String table) {
        return q(SCHEMA) + "." + q(table);
    }

    @Test
    void hostileNames_streamAndBootstrap_injectiveIdenticalIds_noSqlBreaks(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("sec_hostile");
        String sel = tableSql(T_SELECT);
        String odd = tableSql(T_ODD);
        db.execute(
                "CREATE SCHEMA " + q(SCHEMA),
                "CREATE TABLE " + sel + " (" + q(K1) + " text, " + q(K2) + " int, " + q(VAL) + " text, " + q(BIG)
                        + " text, PRIMARY KEY (" + q(K1) + ", " + q(K2) + "))",
                // no primary key: keyed by table_keys on a hostile column; FULL so DELETE carries it
                "CREATE TABLE " + odd + " (" + q(OK) + " text NOT NULL, " + q(VAL) + " int)",
                "ALTER TABLE " + odd + " REPLICA IDENTITY FULL",
                // key values: ':' and '%' and the percent-encoded form of another key (injectivity)
                "INSERT INTO " + sel + " VALUES ('a:b', 1, 'v1', 'small'), ('a%3Ab', 1, 'v2', 'small'),"
                        + " (':', 1, 'v3', 'small'), ('%', 1, 'v4', 'small'), ('%25', 1, 'v5', 'small'),"
                        + " ('a', 11, 'v6', 'small'), ('a:1', 1, 'v7', 'small')",
                "INSERT INTO " + odd + " VALUES ('x:y', 1), ('x%3Ay', 2), ('%00', 3)");

        String slot = "sec_hostile_slot";
        PostgresSourceConfig config = StreamingTestSupport.config(db, slot, configName(T_SELECT), configName(T_ODD))
                .withTableKey(configName(T_ODD), OK)
                .build();

        List<SourceDiagnostics.Check> before = SourceDiagnostics.run(config);
        assertThat(SourceDiagnostics.allOk(before))
                .as("diagnostics before the first start: %s", before)
                .isTrue();

        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = new PostgresReplicationSource("hostile:src%", config)) {
            source.startWithBootstrap(sink, p -> {});
            assertThat(sink.size()).as("bootstrap rows").isEqualTo(10);
            Map<String, Map<String, ElementValue>> bootstrapped = DrasiState.of(sink.changes()).elements;
            assertThat(bootstrapped.keySet())
                    .contains(
                            id(T_SELECT, "a:b", "1"),
                            id(T_SELECT, "a%3Ab", "1"),
                            id(T_SELECT, ":", "1"),
                            id(T_SELECT, "%", "1"),
                            id(T_SELECT, "%25", "1"),
                            id(T_SELECT, "a", "11"),
                            id(T_SELECT, "a:1", "1"),
                            id(T_ODD, "x:y"),
                            id(T_ODD, "x%3Ay"),
                            id(T_ODD, "%00"));
            assertThat(bootstrapped.get(id(T_SELECT, "a:b", "1")))
                    .containsEntry(VAL, new ElementValue.StringValue("v1"))
                    .containsEntry(K2, new ElementValue.IntValue(1))
                    .containsKey(BIG);

            String big = "string_agg(md5(g::text), '') FROM generate_series(1, 600) g";
            db.execute(
                    "INSERT INTO " + sel + " SELECT 'n:%3A', 2, 'new', " + big,
                    "INSERT INTO " + sel + " VALUES ('n%3A:', 2, 'new2', 'small')",
                    // unchanged TOAST value under REPLICA IDENTITY DEFAULT: re-read by key with hostile names
                    "UPDATE " + sel + " SET " + q(VAL) + " = 'upd' WHERE " + q(K1) + " = 'n:%3A'",
                    "UPDATE " + sel + " SET " + q(VAL) + " = 'upd2' WHERE " + q(K1) + " = 'a%3Ab'",
                    // key change: Delete(old id) + Insert(new id)
                    "UPDATE " + sel + " SET " + q(K1) + " = 'moved:%' WHERE " + q(K1) + " = 'a:b'",
                    "DELETE FROM " + sel + " WHERE " + q(K1) + " = ':'",
                    "INSERT INTO " + odd + " VALUES ('new:%', 4)",
                    "UPDATE " + odd + " SET " + q(VAL) + " = 20 WHERE " + q(OK) + " = 'x%3Ay'",
                    "UPDATE " + odd + " SET " + q(OK) + " = 'x:y:moved' WHERE " + q(OK) + " = 'x:y'",
                    "DELETE FROM " + odd + " WHERE " + q(OK) + " = '%00'");
            // 2 + 2 updates + (delete+insert) + delete + insert + update + (delete+insert) + delete
            sink.await(10 + 12, Duration.ofSeconds(60));
            sink.assertNoMoreThan(22, Duration.ofMillis(500));

            List<SourceChange> streamed = sink.changes().subList(10, 22);
            assertThat(streamed.stream()
                            .map(c -> StreamingTestSupport.kind(c) + " " + StreamingTestSupport.id(c))
                            .toList())
                    .containsExactly(
                            "Insert " + id(T_SELECT, "n:%3A", "2"),
                            "Insert " + id(T_SELECT, "n%3A:", "2"),
                            "Update " + id(T_SELECT, "n:%3A", "2"),
                            "Update " + id(T_SELECT, "a%3Ab", "1"),
                            "Delete " + id(T_SELECT, "a:b", "1"),
                            "Insert " + id(T_SELECT, "moved:%", "1"),
                            "Delete " + id(T_SELECT, ":", "1"),
                            "Insert " + id(T_ODD, "new:%"),
                            "Update " + id(T_ODD, "x%3Ay"),
                            "Delete " + id(T_ODD, "x:y"),
                            "Insert " + id(T_ODD, "x:y:moved"),
                            "Delete " + id(T_ODD, "%00"));
            String bigValue = db.queryValue("SELECT " + q(BIG) + " FROM " + sel + " WHERE " + q(K1) + " = 'n:%3A'");
            assertThat(bigValue).hasSizeGreaterThan(8000);
            SourceChange toastUpdate = streamed.get(2);
            assertThat(((SourceChange.Update) toastUpdate).element().properties())
                    .as("TOAST value re-read by key")
                    .containsEntry(BIG, new ElementValue.StringValue(bigValue))
                    .containsEntry(VAL, new ElementValue.StringValue("upd"));
            DrasiState applied = DrasiState.of(sink.changes());
            assertThat(applied.anomalies).isEmpty();

            // a fresh snapshot (temporary slot) of the same tables gives exactly the streamed state
            Map<String, Map<String, ElementValue>> snapshot = new TreeMap<>();
            source.bootstrap(
                    Set.of(),
                    insert -> snapshot.put(
                            insert.element().metadata().elementId().value(),
                            Map.copyOf(insert.element().properties())),
                    p -> {});
            int rows = Integer.parseInt(
                    db.queryValue("SELECT (SELECT count(*) FROM " + sel + ") + (SELECT count(*) FROM " + odd + ")"));
            assertThat(snapshot).as("one distinct id per row").hasSize(rows);
            Map<String, Map<String, ElementValue>> state = new TreeMap<>();
            applied.elements.forEach((k, v) -> state.put(k, Map.copyOf(v)));
            assertThat(state).isEqualTo(snapshot);
            for (String id : snapshot.keySet()) {
                ElementId parsed = ElementId.parse(id);
                assertThat(parsed.schema()).isEqualTo(SCHEMA);
                assertThat(parsed.table()).isIn(T_SELECT, T_ODD);
            }

            List<SourceDiagnostics.Check> running = SourceDiagnostics.run(config);
            assertThat(running)
                    .as("diagnostics while streaming report the slot busy, nothing else")
                    .filteredOn(c -> !c.ok())
                    .singleElement()
                    .satisfies(c -> assertThat(c.name()).isEqualTo("replication slot " + slot));
            assertThat(running)
                    .filteredOn(SourceDiagnostics.Check::ok)
                    .extracting(SourceDiagnostics.Check::name)
                    .contains(
                            "table " + configName(T_SELECT),
                            "REPLICA IDENTITY of " + configName(T_ODD),
                            "publication " + slot + "_pub");
        } finally {
            db.dropSlotIfExists(slot);
        }
    }

    @Test
    void hostileNames_preflightProblems_quoteTheNamesAndRunNoBrokenSql(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("sec_hostile_pre");
        db.execute(
                "CREATE SCHEMA " + q(SCHEMA),
                "CREATE TABLE " + tableSql("no key; drop table x") + " (" + q(VAL) + " int)",
                "CREATE TABLE " + tableSql(T_SELECT) + " (" + q(K1) + " int PRIMARY KEY)",
                "ALTER TABLE " + tableSql(T_SELECT) + " REPLICA IDENTITY NOTHING");
        PostgresSourceConfig config = StreamingTestSupport.connection(db)
                .withTables(configName("no key; drop table x"), configName(T_SELECT), configName("missing'); --"))
                .withSlotName("sec_hostile_pre")
                .withInMemoryOffsets()
                .build();
        Supplier<PostgresReplicationSource> src = () -> new PostgresReplicationSource("hostile", config);
        PreflightException e = org.assertj.core.api.Assertions.catchThrowableOfType(PreflightException.class, () -> {
            try (PostgresReplicationSource s = src.get()) {
                s.start(batch -> {});
            }
        });
        assertThat(e).as("preflight fails with problems, not an SQL error").isNotNull();
        assertThat(e.problems()).hasSize(3);
        assertThat(e.problems().get(0))
                .contains(configName("no key; drop table x") + " has no primary key")
                .contains("ALTER TABLE " + configName("no key; drop table x") + " ADD PRIMARY KEY");
        assertThat(e.problems().get(1))
                .contains("REPLICA IDENTITY NOTHING")
                .contains("ALTER TABLE " + configName(T_SELECT) + " REPLICA IDENTITY FULL");
        assertThat(e.problems().get(2)).contains(configName("missing'); --") + " does not exist");
        assertThat(db.queryValue("SELECT count(*) FROM pg_publication")).isEqualTo("0");
        assertThat(db.queryValue("SELECT count(*) FROM pg_class WHERE relname = 'no key; drop table x'"))
                .isEqualTo("1");
    }

    static String id(String table, String... keys) {
        return ElementId.of(SCHEMA, table, List.of(keys)).value();
    }
}

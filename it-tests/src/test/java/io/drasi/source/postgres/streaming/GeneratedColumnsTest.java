package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.bootstrappedAndRunning;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.GeneratedColumns;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stored generated columns are properties in bootstrap and stream: published by PostgreSQL 18+
 * ({@code publish_generated_columns = stored}), read by key after the change before 18; {@code omit} drops them.
 */
@Tag("pg-matrix")
@ExtendWith(PostgresExtension.class)
class GeneratedColumnsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static void createOrders(PostgresServer db) {
        db.execute(
                "CREATE TABLE line (id int PRIMARY KEY, price int, qty int,"
                        + " total int GENERATED ALWAYS AS (price * qty) STORED, label text GENERATED ALWAYS AS"
                        + " ('line ' || id) STORED)",
                "CREATE TABLE pline (id int, region int, price int, qty int,"
                        + " total int GENERATED ALWAYS AS (price * qty) STORED, PRIMARY KEY (id, region))"
                        + " PARTITION BY RANGE (region)",
                "CREATE TABLE pline_a PARTITION OF pline FOR VALUES FROM (0) TO (10)",
                "CREATE TABLE pline_b PARTITION OF pline FOR VALUES FROM (10) TO (20)",
                "INSERT INTO line (id, price, qty) SELECT g, g, 2 FROM generate_series(1, 50) g",
                "INSERT INTO pline (id, region, price, qty) SELECT g, g % 20, g, 3 FROM generate_series(1, 50) g");
    }

    @Test
    void startWithBootstrap_generatedColumns_inBootstrapAndStream_stateEqualsSelect(PostgresServer pg)
            throws Exception {
        PostgresServer db = pg.newDatabase("gen_cols");
        createOrders(db);
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source =
                bootstrappedAndRunning("src", config(db, "s_gen_cols", "line", "pline"), sink, WAIT)) {
            assertThat(sink.changes().get(0)).isInstanceOf(SourceChange.Insert.class);
            assertThat(node(sink.changes().get(0)).properties()).containsKeys("total", "label");
            db.execute(
                    "INSERT INTO line (id, price, qty) VALUES (100, 7, 6)",
                    "UPDATE line SET qty = qty + 1 WHERE id <= 10",
                    "DELETE FROM line WHERE id = 11",
                    "UPDATE line SET id = 1000 WHERE id = 12", // key change: Delete + Insert
                    "INSERT INTO pline (id, region, price, qty) VALUES (100, 3, 5, 5)",
                    "UPDATE pline SET region = 15 WHERE id = 1", // moves to the other partition
                    "UPDATE pline SET price = price * 10 WHERE region < 10");
            // many changes of one table in one transaction: one batch, read with one query per table
            db.executeInTransaction("UPDATE line SET price = price + 1", "UPDATE pline SET qty = 1");

            Map<String, Map<String, ElementValue>> expectedLine =
                    DrasiState.expectedFromSelect(db, "SELECT * FROM line", "line", "id");
            Map<String, Map<String, ElementValue>> expected = new java.util.TreeMap<>(expectedLine);
            expected.putAll(DrasiState.expectedFromSelect(db, "SELECT * FROM pline", "pline", "id", "region"));
            DrasiState state = DrasiState.awaitEqual(sink, expected, WAIT);
            assertThat(state.anomalies).isEmpty();
            assertThat(state.elements)
                    .as("consumer state vs SELECT (generated columns included)")
                    .isEqualTo(expected);
            assertThat(expectedLine.get("public:line:100"))
                    .containsEntry("total", new ElementValue.IntValue(48))
                    .containsEntry("label", new ElementValue.StringValue("line 100"));
        }
    }

    @Test
    void startWithBootstrap_generatedColumnsOmit_neverProperties(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("gen_omit");
        createOrders(db);
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = bootstrappedAndRunning(
                "src", config(db, "s_gen_omit", "line").withGeneratedColumns(GeneratedColumns.OMIT), sink, WAIT)) {
            db.execute("INSERT INTO line (id, price, qty) VALUES (100, 7, 6)", "UPDATE line SET qty = 9 WHERE id = 1");
            List<SourceChange> changes = sink.await(52, WAIT);
            assertThat(changes)
                    .allSatisfy(c -> assertThat(node(c).properties()).containsOnlyKeys("id", "price", "qty"));
            DrasiState state = new DrasiState();
            state.apply(changes);
            assertThat(state.elements)
                    .isEqualTo(DrasiState.expectedFromSelect(db, "SELECT id, price, qty FROM line", "line", "id"));
        }
    }
}

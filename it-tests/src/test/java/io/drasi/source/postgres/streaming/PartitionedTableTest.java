package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.assertKindsAndIds;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.bootstrappedAndRunning;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.id;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.node;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.TableKeyConfig;
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
 * Partitioned tables (PostgreSQL 13+): captured through the root with {@code publish_via_partition_root},
 * ids and labels of the root, every partition (multi-level, default, created while streaming) followed.
 */
@Tag("pg-matrix")
@ExtendWith(PostgresExtension.class)
class PartitionedTableTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** m: range-partitioned by region, one sub-partitioned level, a default partition. */
    private static void createPartitioned(PostgresServer db) {
        db.execute(
                "CREATE TABLE m (id int, region int, note text, PRIMARY KEY (id, region)) PARTITION BY RANGE (region)",
                "CREATE TABLE m_low PARTITION OF m FOR VALUES FROM (0) TO (100)",
                "CREATE TABLE m_mid PARTITION OF m FOR VALUES FROM (100) TO (200) PARTITION BY RANGE (region)",
                "CREATE TABLE m_mid_a PARTITION OF m_mid FOR VALUES FROM (100) TO (150)",
                "CREATE TABLE m_mid_b PARTITION OF m_mid FOR VALUES FROM (150) TO (200)",
                "CREATE TABLE m_rest PARTITION OF m DEFAULT");
    }

    private static Map<String, Map<String, ElementValue>> expectedM(PostgresServer db) {
        return DrasiState.expectedFromSelect(db, "SELECT * FROM m", "m", "id", "region");
    }

    @Test
    void startWithBootstrap_concurrentWriterMovesAndNewPartition_stateEqualsSelect(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("part_handover");
        createPartitioned(db);
        db.execute("INSERT INTO m SELECT g, g % 300, 'seed' FROM generate_series(1, 3000) g");
        RandomWriter writer = new RandomWriter("partition-writer", 3001, (r, keys) -> {
            int id = keys.any();
            switch (r.nextInt(5)) {
                case 0 -> db.execute("INSERT INTO m VALUES (" + keys.fresh() + ", " + r.nextInt(0, 300) + ", 'new')");
                case 1 -> db.execute("UPDATE m SET note = 'upd' || id WHERE id = " + id);
                // moves the row to another partition (and, region being part of the key, to another id)
                case 2 -> db.execute("UPDATE m SET region = " + r.nextInt(0, 300) + " WHERE id = " + id);
                case 3 ->
                    db.executeInTransaction(
                            "UPDATE m SET note = 'tx' WHERE id = " + id,
                            "INSERT INTO m VALUES (" + keys.fresh() + ", " + r.nextInt(0, 300) + ", 'tx')",
                            "DELETE FROM m WHERE id = " + keys.any());
                default -> db.execute("DELETE FROM m WHERE id = " + id);
            }
        });
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_part_handover", "m").build())) {
            writer.start();
            Thread.sleep(300);
            source.startWithBootstrap(sink, p -> {});
            assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
            // a partition created while streaming, and rows in it (also rows moved into it)
            db.execute("CREATE TABLE m_new PARTITION OF m FOR VALUES FROM (400) TO (500)");
            // the default partition may not hold rows of the new range; the writer only uses 0..299
            db.execute(
                    "INSERT INTO m SELECT g, 400 + g % 100, 'in new' FROM generate_series(10001, 10050) g",
                    "UPDATE m SET region = 450 WHERE id BETWEEN 1 AND 20");
            Thread.sleep(700);
            writer.stop();
            db.execute("UPDATE m SET note = 'last' WHERE region >= 400");

            Map<String, Map<String, ElementValue>> expected = expectedM(db);
            DrasiState state = DrasiState.awaitEqual(sink, expected, WAIT);
            assertThat(state.anomalies)
                    .as("duplicate Inserts / ghost Updates or Deletes")
                    .isEmpty();
            assertThat(state.elements).as("consumer state vs SELECT * FROM m").isEqualTo(expected);
            assertThat(sink.changes()).allSatisfy(c -> assertThat(id(c)).startsWith("public:m:"));
            assertThat(sink.changes())
                    .filteredOn(c -> !(c instanceof SourceChange.Delete))
                    .allSatisfy(c -> assertThat(node(c).metadata().labels()).containsExactly("m"));
            assertThat(db.queryValue(
                            "SELECT pubviaroot::text FROM pg_publication WHERE pubname = 's_part_handover_pub'"))
                    .isEqualTo("true");
        } finally {
            writer.stop();
        }
    }

    @Test
    void start_rowMovesPartitionKeyNotInKey_sameIdDeletedThenInserted(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("part_move", """
                CREATE TABLE ev (id int NOT NULL, region int NOT NULL, note text) PARTITION BY LIST (region);
                CREATE TABLE ev_1 PARTITION OF ev FOR VALUES IN (1);
                CREATE TABLE ev_2 PARTITION OF ev FOR VALUES IN (2);
                ALTER TABLE ev_1 REPLICA IDENTITY FULL;
                ALTER TABLE ev_2 REPLICA IDENTITY FULL;
                INSERT INTO ev VALUES (1, 1, 'a');
                """);
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = bootstrappedAndRunning(
                "src",
                config(db, "s_part_move", "ev").withTableKeys(List.of(new TableKeyConfig("ev", List.of("id")))),
                sink,
                WAIT)) {
            db.execute(
                    "UPDATE ev SET region = 2, note = 'moved' WHERE id = 1", "UPDATE ev SET note = 'b' WHERE id = 1");
            List<SourceChange> changes = sink.await(4, WAIT);
            assertKindsAndIds(
                    changes, "Insert public:ev:1", "Delete public:ev:1", "Insert public:ev:1", "Update public:ev:1");
            DrasiState state = new DrasiState();
            state.apply(changes);
            assertThat(state.elements).isEqualTo(DrasiState.expectedFromSelect(db, "SELECT * FROM ev", "ev", "id"));
        }
    }

    @Test
    void start_leafPartitionCapturedDirectly_labelIsLeaf(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("part_leaf");
        createPartitioned(db);
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source =
                bootstrappedAndRunning("src", config(db, "s_part_leaf", "m_mid_a"), sink, WAIT)) {
            db.execute(
                    "INSERT INTO m VALUES (1, 120, 'leaf'), (2, 5, 'other partition')",
                    "UPDATE m SET note = 'x' WHERE id = 1");
            List<SourceChange> changes = sink.await(2, WAIT);
            assertKindsAndIds(changes, "Insert public:m_mid_a:1:120", "Update public:m_mid_a:1:120");
            assertThat(node(changes.get(0)).metadata().labels()).containsExactly("m_mid_a");
            sink.assertNoMoreThan(2, Duration.ofSeconds(1));
        }
    }

    @Test
    void start_existingPublicationWithoutViaRoot_refusedNamingAlterPublication(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("part_pub");
        createPartitioned(db);
        db.execute("CREATE PUBLICATION s_part_pub_pub FOR TABLE m");
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_part_pub", "m").build())) {
            assertThatThrownBy(() -> source.start(new RecordingSink()))
                    .isInstanceOf(PreflightException.class)
                    .hasMessageContaining("publish_via_partition_root is off")
                    .hasMessageContaining(
                            "ALTER PUBLICATION \"s_part_pub_pub\" SET (publish_via_partition_root = true);");
        }
        db.execute("ALTER PUBLICATION s_part_pub_pub SET (publish_via_partition_root = true)");
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = running("src", config(db, "s_part_pub", "m"), sink, WAIT)) {
            db.execute("INSERT INTO m VALUES (1, 250, 'default partition')");
            assertThat(sink.await(1, WAIT)).extracting(StreamingTestSupport::id).containsExactly("public:m:1:250");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void start_rootAndItsPartitionBothCaptured_refused(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("part_both");
        createPartitioned(db);
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_part_both", "m", "m_mid_b").build())) {
            assertThatThrownBy(() -> source.start(new RecordingSink()))
                    .isInstanceOf(PreflightException.class)
                    .hasMessageContaining("\"m_mid_b\" is a partition of \"public\".\"m\", which is captured too");
        }
    }

    @Test
    void start_partitionAttachedAndDetachedWhileStreaming_followedAndToastReReadThroughRoot(PostgresServer pg)
            throws Exception {
        PostgresServer db = pg.newDatabase("part_attach");
        db.execute(
                "CREATE TABLE d (id int, region int, big text, n int, PRIMARY KEY (id, region)) PARTITION BY RANGE "
                        + "(region)",
                "CREATE TABLE d_1 PARTITION OF d FOR VALUES FROM (0) TO (10)",
                "CREATE TABLE d_2 PARTITION OF d FOR VALUES FROM (10) TO (20)",
                "ALTER TABLE d_2 ALTER COLUMN big SET STORAGE EXTERNAL",
                "INSERT INTO d VALUES (1, 1, 'a', 0), (2, 15, repeat('x', 10000), 0)");
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source =
                bootstrappedAndRunning("src", config(db, "s_part_attach", "d"), sink, WAIT)) {
            // an unchanged TOAST value under REPLICA IDENTITY DEFAULT: re-read by key through the root
            db.execute("UPDATE d SET n = 1 WHERE id = 2");
            // attached while streaming (empty when attached), then written to
            db.execute(
                    "CREATE TABLE d_3 (LIKE d INCLUDING ALL)",
                    "ALTER TABLE d ATTACH PARTITION d_3 FOR VALUES FROM (20) TO (30)",
                    "INSERT INTO d VALUES (3, 25, 'attached', 0)");
            // emptied, then detached: later writes to the detached table are no longer d's
            db.execute(
                    "DELETE FROM d WHERE region < 10",
                    "ALTER TABLE d DETACH PARTITION d_1",
                    "INSERT INTO d_1 VALUES (9, 5, 'detached', 0)",
                    "UPDATE d SET n = 2 WHERE id = 3");
            Map<String, Map<String, ElementValue>> expected =
                    DrasiState.expectedFromSelect(db, "SELECT * FROM d", "d", "id", "region");
            DrasiState state = DrasiState.awaitEqual(sink, expected, WAIT);
            assertThat(state.anomalies).isEmpty();
            assertThat(state.elements).as("consumer state vs SELECT * FROM d").isEqualTo(expected);
            assertThat(sink.changes())
                    .filteredOn(c -> c instanceof SourceChange.Update && id(c).equals("public:d:2:15"))
                    .singleElement()
                    .satisfies(c -> assertThat(node(c).properties().get("big"))
                            .isEqualTo(new ElementValue.StringValue("x".repeat(10000))));
            assertThat(sink.changes())
                    .extracting(StreamingTestSupport::id)
                    .doesNotContain("public:d:9:5", "public:d_1:9:5");
        }
    }
}

package io.drasi.source.postgres.reliability;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.WAIT;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.streaming.StreamingTestSupport;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schema changes and dropped objects while streaming, each with its documented behaviour: columns added,
 * dropped or retyped → the stream continues with the new schema; a captured table dropped → the other
 * tables keep streaming (the dropped table's elements stay until a bootstrap; logged); an invalidated slot
 * → FAILED / refused at start with the fix.
 */
@Tag("reliability")
@ExtendWith(PostgresExtension.class)
class SchemaChangeTest {

    private static PostgresSourceConfig config(PostgresServer db, String slot, String... tables) {
        return StreamingTestSupport.config(db, slot, tables).build();
    }

    private static List<SourceChange> await(List<SourceChange> got, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (got) {
                if (got.size() >= n) {
                    return List.copyOf(got);
                }
            }
            Thread.sleep(20);
        }
        synchronized (got) {
            throw new AssertionError("expected " + n + " changes, got " + got);
        }
    }

    @Test
    void columnAddedDroppedRetyped_streamContinuesWithNewSchema(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("fault_ddl", "CREATE TABLE t (id int PRIMARY KEY, a int, b text)");
        List<SourceChange> got = new ArrayList<>();
        try (PostgresReplicationSource source = new PostgresReplicationSource("ddl", config(db, "fault_ddl", "t"))) {
            source.start((List<PositionedChange> batch) -> {
                synchronized (got) {
                    batch.forEach(c -> got.add(c.change()));
                }
            });
            db.execute("INSERT INTO t VALUES (1, 1, 'x')");
            db.execute("ALTER TABLE t ADD COLUMN c jsonb DEFAULT '{\"k\": 1}'", "INSERT INTO t VALUES (2, 2, 'y')");
            db.execute("ALTER TABLE t DROP COLUMN b", "UPDATE t SET a = 3 WHERE id = 1");
            db.execute("ALTER TABLE t ALTER COLUMN a TYPE text USING a::text", "INSERT INTO t VALUES (4, 'four')");
            List<SourceChange> c = await(got, 4);
            assertThat(node(c.get(0)).properties()).containsOnlyKeys("id", "a", "b");
            assertThat(node(c.get(1)).properties())
                    .containsOnlyKeys("id", "a", "b", "c")
                    .containsEntry(
                            "c", new ElementValue.ObjectValue(java.util.Map.of("k", new ElementValue.IntValue(1))));
            assertThat(node(c.get(2)).properties())
                    .containsOnlyKeys("id", "a", "c")
                    .containsEntry("a", new ElementValue.IntValue(3));
            assertThat(node(c.get(3)).properties()).containsEntry("a", new ElementValue.StringValue("four"));
            assertThat(source.state()).isEqualTo(State.RUNNING);
        }
    }

    @Test
    void capturedTableDropped_otherTablesKeepStreaming(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("fault_drop");
        db.execute("CREATE TABLE keep (id int PRIMARY KEY)", "CREATE TABLE gone (id int PRIMARY KEY)");
        List<SourceChange> got = new ArrayList<>();
        try (PostgresReplicationSource source =
                new PostgresReplicationSource("drop", config(db, "fault_drop", "keep", "gone"))) {
            source.start((List<PositionedChange> batch) -> {
                synchronized (got) {
                    batch.forEach(c -> got.add(c.change()));
                }
            });
            db.execute("INSERT INTO gone VALUES (1)", "DROP TABLE gone", "INSERT INTO keep VALUES (1)");
            List<SourceChange> c = await(got, 2);
            assertThat(c)
                    .extracting(x -> node(x).metadata().elementId().value())
                    .containsExactly("public:gone:1", "public:keep:1");
            Thread.sleep(500);
            assertThat(source.state()).isEqualTo(State.RUNNING);
        }
        // a restart names the missing table and the fix instead of streaming a partial set silently
        assertThatThrownBy(() ->
                        new PostgresReplicationSource("drop", config(db, "fault_drop", "keep", "gone")).start(b -> {}))
                .isInstanceOf(PreflightException.class)
                .hasMessageContaining("\"public\".\"gone\" does not exist");
    }

    @Test
    void slotInvalidatedByWalLimit_failsAtRuntimeAndAtStartWithTheFix(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("fault_inval");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE churn (id serial PRIMARY KEY, pad text)");
        Object block = new Object();
        boolean[] release = {false};
        try {
            db.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
            try (PostgresReplicationSource source =
                    new PostgresReplicationSource("inval", config(db, "fault_inval", "t"))) {
                // a sink stuck on its first batch pins the slot while WAL moves on
                source.start(batch -> {
                    synchronized (block) {
                        while (!release[0]) {
                            block.wait(100);
                        }
                    }
                });
                db.execute("INSERT INTO t VALUES (1)");
                Thread.sleep(500);
                for (int i = 0; i < 6; i++) {
                    db.execute(
                            "INSERT INTO churn (pad) SELECT repeat('x', 1000) FROM generate_series(1, 20000)",
                            "SELECT pg_switch_wal()",
                            "CHECKPOINT");
                }
                String walStatus =
                        db.queryValue("select wal_status from pg_replication_slots where slot_name = 'fault_inval'");
                assertThat(walStatus)
                        .as("slot wal_status after WAL churn past max_slot_wal_keep_size")
                        .isIn("lost", "unreserved");
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (source.state() != State.FAILED && System.nanoTime() < deadline) {
                    db.execute("SELECT pg_switch_wal()", "CHECKPOINT");
                    Thread.sleep(500);
                }
                synchronized (block) {
                    release[0] = true;
                    block.notifyAll();
                }
                assertThat(source.state()).isEqualTo(State.FAILED);
                assertThat(source.failure())
                        .get()
                        .extracting(Throwable::getMessage)
                        .asString()
                        .contains("invalidated")
                        .contains("bootstrap");
            }
            assertThatThrownBy(
                            () -> new PostgresReplicationSource("inval", config(db, "fault_inval", "t")).start(b -> {}))
                    .isInstanceOf(PreflightException.class)
                    .hasMessageContaining("was invalidated by PostgreSQL")
                    .hasMessageContaining("pg_drop_replication_slot('fault_inval')");
        } finally {
            synchronized (block) {
                release[0] = true;
                block.notifyAll();
            }
            db.execute("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
            db.dropSlotIfExists("fault_inval");
        }
    }
}

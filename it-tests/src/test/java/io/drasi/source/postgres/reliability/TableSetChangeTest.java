package io.drasi.source.postgres.reliability;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.TableRemovedPolicy;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.streaming.DrasiState;
import io.drasi.source.postgres.streaming.RecordingSink;
import io.drasi.source.postgres.streaming.StreamingTestSupport;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table set changes across restarts ({@code startWithBootstrap} with a file offset store): a table added to
 * {@code tables} is added to the publication and bootstrapped alone while a writer changes it; a removed table
 * leaves the publication and its changes stop. Ends with "the consumer's state equals SELECT".
 */
@Tag("reliability")
@ExtendWith(PostgresExtension.class)
class TableSetChangeTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ADDED_ROWS = Integer.getInteger("tables.added.rows", 20_000);

    /** A new database with tables {@code a} and {@code b (id int PRIMARY KEY, v text)}, rows 1..n each. */
    private static PostgresServer withTables(PostgresServer pg, String name, int rowsOfA, int rowsOfB) {
        PostgresServer db = pg.newDatabase(name);
        db.execute(
                "CREATE TABLE a (id int PRIMARY KEY, v text)",
                "CREATE TABLE b (id int PRIMARY KEY, v text)",
                "INSERT INTO a SELECT g, 'a' || g FROM generate_series(1, " + rowsOfA + ") g",
                "INSERT INTO b SELECT g, 'b' || g FROM generate_series(1, " + rowsOfB + ") g");
        return db;
    }

    private static PostgresSourceBuilder source(PostgresServer db, Path dir, String... tables) {
        return config(db, "s_tables", tables).withOffsetStore(dir.resolve("offsets.dat"));
    }

    @Test
    void tableAdded_writerChangingItDuringItsBootstrap_bootstrappedAloneExactly(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        PostgresServer db = withTables(pg, "tables_added", 100, 20000);
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource s =
                StreamingTestSupport.bootstrappedAndRunning("src", source(db, dir, "a"), sink, WAIT)) {
            db.execute("UPDATE a SET v = 'x' WHERE id = 1", "UPDATE b SET v = 'not captured' WHERE id = 1");
            sink.await(101, WAIT);
        }
        db.execute(
                "UPDATE b SET v = 'while stopped' WHERE id <= 10",
                "DELETE FROM b WHERE id BETWEEN 11 AND 20",
                "UPDATE a SET v = 'while stopped' WHERE id = 2");
        int before = sink.size();
        ChurnWriter writer = ChurnWriter.start(
                db,
                i -> new String[] {
                    "UPDATE b SET v = 'w" + i + "' WHERE id = " + (21 + i % 19000),
                    "DELETE FROM b WHERE id = " + (21 + (i * 7) % 19000),
                    "INSERT INTO b VALUES (" + (30000 + i) + ", 'n') ON CONFLICT DO NOTHING",
                    "UPDATE a SET v = 'w" + i + "' WHERE id = " + (1 + i % 100)
                },
                0);
        try (PostgresReplicationSource s =
                StreamingTestSupport.bootstrappedAndRunning("src", source(db, dir, "a", "b"), sink, WAIT)) {
            Thread.sleep(1500);
            writer.stop();
            List<SourceChange> all = sink.changes(); // one snapshot: changes still arrive meanwhile
            List<SourceChange> second = all.subList(before, all.size());
            assertThat(second.stream()
                            .filter(c -> c instanceof SourceChange.Insert
                                    && StreamingTestSupport.id(c).startsWith("public:a:"))
                            .count())
                    .as("table a is not read again")
                    .isZero();
            SlotLossResyncTest.assertEqualsSelect(db, sink, "a", "b");
            assertThat(db.queryValue("select count(*) from pg_publication_tables where pubname = 's_tables_pub'"))
                    .isEqualTo("2");
            SlotLossResyncTest.assertPositionsIncrease(sink.positioned()); // the added table's rows included
        }
        try (PostgresReplicationSource s =
                StreamingTestSupport.bootstrappedAndRunning("src", source(db, dir, "a"), sink, WAIT)) {
            assertThat(db.queryValue("select string_agg(tablename, ',') from pg_publication_tables"
                            + " where pubname = 's_tables_pub'"))
                    .as("b removed from the publication")
                    .isEqualTo("a");
            int n = sink.size();
            db.execute("UPDATE b SET v = 'after removal' WHERE id = 1", "INSERT INTO a VALUES (500, 'last')");
            sink.await(n + 1, WAIT);
            sink.assertNoMoreThan(n + 1, Duration.ofMillis(1000));
            assertThat(StreamingTestSupport.id(sink.changes().get(n))).isEqualTo("public:a:500");
        }
    }

    @Test
    void tableRemoved_onTableRemovedDelete_deletesEveryElementOfItTheConsumerHolds(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        PostgresServer db = withTables(pg, "tables_removed_delete", 100, 3000);
        RecordingSink sink = new RecordingSink();
        java.util.function.Function<String[], PostgresSourceBuilder> deleting =
                tables -> config(db, "s_tables_del", tables)
                        .withOffsetStore(dir.resolve("offsets.dat"))
                        .withOnTableRemoved(TableRemovedPolicy.DELETE)
                        .withMaxBatchSize(500);
        try (PostgresReplicationSource s = StreamingTestSupport.bootstrappedAndRunning(
                "src", deleting.apply(new String[] {"a", "b"}), sink, WAIT)) {
            db.execute(
                    "UPDATE b SET v = 'streamed' WHERE id = 1",
                    "DELETE FROM b WHERE id = 2",
                    "INSERT INTO b VALUES (5000, 'streamed')",
                    "UPDATE a SET v = 'streamed' WHERE id = 1");
            sink.await(3104, WAIT);
        }
        db.execute("UPDATE b SET v = 'while stopped' WHERE id = 3", "INSERT INTO b VALUES (6000, 'never seen')");
        long heldOfB = DrasiState.of(sink.changes()).elements.keySet().stream()
                .filter(k -> k.startsWith("public:b:"))
                .count();
        assertThat(heldOfB).isEqualTo(3000);
        int before = sink.size();
        long started = System.nanoTime();
        try (PostgresReplicationSource s =
                StreamingTestSupport.bootstrappedAndRunning("src", deleting.apply(new String[] {"a"}), sink, WAIT)) {
            long ms = (System.nanoTime() - started) / 1_000_000;
            List<SourceChange> all = sink.changes();
            List<SourceChange> second = all.subList(before, all.size());
            assertThat(second)
                    .as("only Deletes, one per element of b the consumer held")
                    .hasSize((int) heldOfB);
            assertThat(second)
                    .allMatch(c -> c instanceof SourceChange.Delete
                            && StreamingTestSupport.id(c).startsWith("public:b:"));
            assertThat(db.queryValue("select string_agg(tablename, ',') from pg_publication_tables"
                            + " where pubname = 's_tables_del_pub'"))
                    .isEqualTo("a");
            db.execute("INSERT INTO a VALUES (500, 'after')", "UPDATE b SET v = 'not captured' WHERE id = 4");
            SlotLossResyncTest.assertEqualsSelect(db, sink, "a");
            SlotLossResyncTest.assertPositionsIncrease(sink.positioned()); // the Deletes included
            System.out.println(
                    "MEASURED on_table_removed: delete: " + heldOfB + " Deletes, start to RUNNING " + ms + " ms");
        }
        int n = sink.size();
        try (PostgresReplicationSource s =
                StreamingTestSupport.bootstrappedAndRunning("src", deleting.apply(new String[] {"a"}), sink, WAIT)) {
            db.execute("INSERT INTO a VALUES (501, 'last')");
            sink.await(n + 1, WAIT);
            sink.assertNoMoreThan(n + 1, Duration.ofMillis(1000));
            assertThat(StreamingTestSupport.id(sink.changes().get(n)))
                    .as("no Delete again at the next start")
                    .isEqualTo("public:a:501");
        }
    }

    @Test
    void tableRemoved_deleteSwitchedOnForASlotWithHistory_failsNamingTheFix(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        PostgresServer db = withTables(pg, "tables_removed_late", 0, 1);
        RecordingSink sink = new RecordingSink();
        PostgresSourceBuilder keep = config(db, "s_tables_late", "a", "b").withOffsetStore(dir.resolve("o.dat"));
        try (PostgresReplicationSource s = StreamingTestSupport.bootstrappedAndRunning("src", keep, sink, WAIT)) {
            sink.await(1, WAIT);
        }
        PostgresSourceBuilder deleting = config(db, "s_tables_late", "a")
                .withOffsetStore(dir.resolve("o.dat"))
                .withOnTableRemoved(TableRemovedPolicy.DELETE);
        try (PostgresReplicationSource s = new PostgresReplicationSource("src", deleting.build())) {
            assertThatThrownBy(() -> s.startWithBootstrap(sink, p -> {}))
                    .hasMessageContaining("on_table_removed is delete")
                    .hasMessageContaining("Fix: start once with on_table_removed: keep");
            assertThat(s.state()).isEqualTo(State.FAILED);
        }
        assertThat(sink.size()).as("nothing deleted on a guess").isEqualTo(1);
    }

    /**
     * The added table is read from a temporary slot's exported snapshot, not under a lock: the second start runs as a
     * role with only SELECT and REPLICATION (LOCK TABLE ... IN SHARE MODE would need UPDATE/DELETE/TRUNCATE), and
     * a writer that updates, inserts and deletes rows of the added table while the sink holds a batch of its
     * bootstrap (the snapshot transaction open) completes at once. Table a is not read again; consumer == SELECT.
     */
    @Test
    void tableAdded_selectOnlyRole_writerDuringItsBootstrapNotBlocked_otherTableNotReadAgain(
            PostgresServer pg, @TempDir Path dir) throws Exception {
        PostgresServer db = withTables(pg, "tables_added_nolock", 100, ADDED_ROWS);
        db.execute(
                "DROP ROLE IF EXISTS reader",
                "CREATE ROLE reader LOGIN REPLICATION PASSWORD 'pw'",
                "GRANT SELECT ON a, b TO reader");
        RecordingSink sink = new RecordingSink();
        PostgresSourceBuilder first = config(db, "s_tables_nolock", "a").withOffsetStore(dir.resolve("offsets.dat"));
        try (PostgresReplicationSource s = StreamingTestSupport.bootstrappedAndRunning("src", first, sink, WAIT)) {
            sink.await(100, WAIT);
        }
        // the role may not change the publication: an administrator adds b to it, as the preflight would ask
        db.execute("ALTER PUBLICATION s_tables_nolock_pub ADD TABLE b");
        int before = sink.size();
        long[] writerMs = {-1};
        java.util.concurrent.atomic.AtomicReference<Throwable> writerFailed =
                new java.util.concurrent.atomic.AtomicReference<>();
        io.drasi.source.postgres.ChangeSink blockingOnB = batch -> {
            boolean ofB = batch.stream()
                    .anyMatch(pc -> StreamingTestSupport.id(pc.change()).startsWith("public:b:"));
            if (ofB && writerMs[0] < 0) { // inside the added table's bootstrap: its snapshot transaction is open
                long t0 = System.nanoTime();
                try {
                    db.executeInTransaction(
                            "SET LOCAL lock_timeout = '5s'",
                            "UPDATE b SET v = 'during its bootstrap' WHERE id = 1",
                            "INSERT INTO b VALUES (" + (ADDED_ROWS + 1) + ", 'inserted during its bootstrap')",
                            "DELETE FROM b WHERE id = 2");
                } catch (RuntimeException e) {
                    writerFailed.set(e);
                }
                writerMs[0] = (System.nanoTime() - t0) / 1_000_000;
            }
            sink.accept(batch);
        };
        PostgresSourceBuilder second = config(db, "s_tables_nolock", "a", "b")
                .withOffsetStore(dir.resolve("offsets.dat"))
                .withUser("reader")
                .withPassword("pw");
        long started = System.nanoTime();
        try (PostgresReplicationSource s =
                StreamingTestSupport.bootstrappedAndRunning("src", second, blockingOnB, WAIT)) {
            long startMs = (System.nanoTime() - started) / 1_000_000;
            assertThat(writerFailed.get())
                    .as("the writer of the added table is not blocked")
                    .isNull();
            assertThat(writerMs[0]).as("writer ms").isBetween(0L, 4000L);
            db.execute("UPDATE a SET v = 'after' WHERE id = 1", "UPDATE b SET v = 'after' WHERE id = 3");
            SlotLossResyncTest.assertEqualsSelect(db, sink, "a", "b");
            List<SourceChange> all = sink.changes();
            assertThat(all.subList(before, all.size()).stream()
                            .filter(c -> c instanceof SourceChange.Insert
                                    && StreamingTestSupport.id(c).startsWith("public:a:"))
                            .count())
                    .as("table a is not read again")
                    .isZero();
            System.out.println("MEASURED added table b (" + ADDED_ROWS + " rows) bootstrapped through a temporary slot"
                    + " as a SELECT-only role: start to RUNNING " + startMs + " ms; a writer of b during its bootstrap"
                    + " took " + writerMs[0] + " ms (not blocked)");
        }
    }
}

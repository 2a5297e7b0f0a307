package io.drasi.source.postgres.reliability;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.SlotLossPolicy;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.streaming.DrasiState;
import io.drasi.source.postgres.streaming.RecordingSink;
import io.drasi.source.postgres.streaming.StreamingTestSupport;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code on_slot_loss: resync} against a real PostgreSQL: the slot dropped while the source is stopped, dropped
 * while it streams, and a resync closed half-way and restarted. Each test ends with "the consumer's state, built
 * by applying every delivered change in order, equals SELECT", with no duplicate Insert and no Delete or Update of
 * an unknown element.
 */
@Tag("reliability")
@ExtendWith(PostgresExtension.class)
class SlotLossResyncTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    /** Each test's own directory: the offset store and its held-ids file. */
    @TempDir
    Path dir;

    /** A new database with table {@code t (id int PRIMARY KEY, v text)} holding rows 1..{@code rows}. */
    private static PostgresServer withRows(PostgresServer pg, String name, int rows) {
        PostgresServer db = pg.newDatabase(name);
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, " + rows + ") g");
        return db;
    }

    /** Source settings with {@code on_slot_loss: resync}, batches of 500 and the offsets in {@link #dir}. */
    private PostgresSourceBuilder resync(PostgresServer db, String slot) {
        return config(db, slot, "t")
                .withOffsetStore(dir.resolve("offsets.dat"))
                .withOnSlotLoss(SlotLossPolicy.RESYNC)
                .withMaxBatchSize(500);
    }

    /** A source {@code src} with {@link #resync} settings, bootstrapped into {@code sink} and RUNNING. */
    private PostgresReplicationSource resyncing(PostgresServer db, String slot, ChangeSink sink)
            throws InterruptedException {
        return StreamingTestSupport.bootstrappedAndRunning("src", resync(db, slot), sink, WAIT);
    }

    @Test
    void slotDroppedWhileStopped_changesMeanwhile_consumerEqualsTableWithoutFalseInsertsOrDeletes(PostgresServer pg)
            throws Exception {
        PostgresServer db = withRows(pg, "resync_stopped", 100);
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = resyncing(db, "s_rs_stop", sink)) {
            db.execute("UPDATE t SET v = 'streamed' WHERE id = 50", "INSERT INTO t VALUES (101, 'new')");
            sink.await(102, WAIT);
        }
        db.dropSlotIfExists("s_rs_stop");
        db.execute(
                "DELETE FROM t WHERE id <= 10", // 10 deletes
                "UPDATE t SET v = 'changed' WHERE id BETWEEN 11 AND 20", // 10 updates
                "INSERT INTO t SELECT g, 'later' FROM generate_series(201, 215) g", // 15 inserts
                "DELETE FROM t WHERE id = 30",
                "INSERT INTO t VALUES (30, 'v30')", // back as it was: nothing
                "UPDATE t SET v = 'x' WHERE id = 40",
                "UPDATE t SET v = 'v40' WHERE id = 40");
        Map<String, Map<String, ElementValue>> held = DrasiState.of(sink.changes()).elements;
        int before = sink.size();
        long started = System.nanoTime();
        try (PostgresReplicationSource source = resyncing(db, "s_rs_stop", sink)) {
            long resyncMs = (System.nanoTime() - started) / 1_000_000;
            List<SourceChange> all = sink.changes(); // one snapshot
            List<SourceChange> resynced = all.subList(before, all.size());
            assertThat(count(resynced, SourceChange.Insert.class)).as("inserts").isEqualTo(15);
            assertThat(count(resynced, SourceChange.Update.class)).as("updates").isEqualTo(10);
            assertThat(count(resynced, SourceChange.Delete.class)).as("deletes").isEqualTo(10);
            for (SourceChange c : resynced) {
                String id = StreamingTestSupport.id(c);
                if (c instanceof SourceChange.Insert) {
                    assertThat(held)
                            .as("an Insert only for an element the consumer did not hold")
                            .doesNotContainKey(id);
                }
                if (c instanceof SourceChange.Delete) {
                    assertThat(db.queryValue("select count(*) from t where 'public:t:' || id = '" + id + "'"))
                            .as("a Delete only for a row that no longer exists")
                            .isEqualTo("0");
                }
            }
            assertPositionsIncrease(sink.positioned());
            db.execute("INSERT INTO t VALUES (300, 'after')", "UPDATE t SET v = 'after' WHERE id = 11");
            assertEqualsSelect(db, sink);
            assertThat(source.state()).isEqualTo(State.RUNNING);
            System.out.println("MEASURED slot dropped while stopped: resync of 115 rows + 10 deletes, start to RUNNING "
                    + resyncMs + " ms");
        }
    }

    @Test
    void slotDroppedWhileStreaming_writerRunning_resyncsAndStreamsOn(PostgresServer pg) throws Exception {
        PostgresServer db = withRows(pg, "resync_streaming", 2000);
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = resyncing(db, "s_rs_live", sink)) {
            ChurnWriter writer = ChurnWriter.start(
                    db,
                    i -> new String[] {
                        "UPDATE t SET v = 'w" + i + "' WHERE id = " + (1 + i % 2000),
                        "DELETE FROM t WHERE id = " + (1 + (i * 7) % 2000),
                        "INSERT INTO t VALUES (" + (3000 + i) + ", 'n') ON CONFLICT DO NOTHING"
                    },
                    5);
            Thread.sleep(500);
            db.dropSlotIfExists("s_rs_live");
            Thread.sleep(300);
            assertThat(awaitRunningAgain(source))
                    .as("RUNNING again after the resync")
                    .isTrue();
            Thread.sleep(1000);
            writer.stop();
            assertEqualsSelect(db, sink);
            assertPositionsIncrease(sink.positioned());
        }
    }

    @Test
    void closedDuringResync_restart_resyncsAgainAndConsumerEqualsTable(PostgresServer pg) throws Exception {
        PostgresServer db = withRows(pg, "resync_close", 5000);
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = resyncing(db, "s_rs_close", sink)) {
            assertThat(sink.size()).isEqualTo(5000);
        }
        db.dropSlotIfExists("s_rs_close");
        db.execute(
                "DELETE FROM t WHERE id % 3 = 0",
                "UPDATE t SET v = 'u' WHERE id % 3 = 1",
                "INSERT INTO t SELECT g, 'i' FROM generate_series(6001, 9000) g");
        int before = sink.size();
        // a sink that closes the source from inside the second resync batch: the stop lands mid-resync
        AtomicReference<PostgresReplicationSource> current = new AtomicReference<>();
        AtomicInteger batches = new AtomicInteger();
        ChangeSink closing = batch -> {
            sink.accept(batch);
            if (batches.incrementAndGet() == 2) {
                current.get().close(); // only requests the stop from inside the sink
            }
        };
        PostgresReplicationSource first =
                new PostgresReplicationSource("src", resync(db, "s_rs_close").build());
        current.set(first);
        try {
            first.startWithBootstrap(closing, p -> {});
        } catch (RuntimeException expected) {
            // SourceClosedException: closed during the resync
        } finally {
            first.close();
        }
        int partial = sink.size() - before;
        assertThat(partial)
                .as("part of the resync was delivered before the stop")
                .isBetween(1, 3 * 500);
        db.execute("UPDATE t SET v = 'after stop' WHERE id = 2");
        try (PostgresReplicationSource source = resyncing(db, "s_rs_close", sink)) {
            assertEqualsSelect(db, sink);
            db.execute("INSERT INTO t VALUES (10000, 'streamed')");
            assertEqualsSelect(db, sink);
        }
    }

    @Test
    void slotInvalidatedByWalLimitWhileStreaming_resyncsAndStreamsOn(PostgresServer pg) throws Exception {
        PostgresServer db = withRows(pg, "resync_inval", 50);
        db.execute("CREATE TABLE churn (id serial PRIMARY KEY, pad text)"); // its inserts push WAL past the limit
        RecordingSink sink = new RecordingSink();
        AtomicBoolean blocked = new AtomicBoolean();
        ChangeSink blocking = batch -> {
            while (blocked.get()) {
                Thread.sleep(20); // pins the slot while WAL moves on
            }
            sink.accept(batch);
        };
        try {
            db.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'", "SELECT pg_reload_conf()");
            try (PostgresReplicationSource source = new PostgresReplicationSource(
                    "src", resync(db, "s_rs_inval").build())) {
                try {
                    source.startWithBootstrap(blocking, p -> {});
                    assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
                    blocked.set(true);
                    db.execute("INSERT INTO t VALUES (1000, 'x')", "DELETE FROM t WHERE id = 1");
                    Thread.sleep(500);
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    for (int i = 0; source.state() == State.RUNNING && System.nanoTime() < deadline; i++) {
                        if (i < 6) {
                            db.execute(
                                    "INSERT INTO churn (pad) SELECT repeat('x', 1000) FROM generate_series(1, 20000)");
                        }
                        db.execute("SELECT pg_switch_wal()", "CHECKPOINT");
                        Thread.sleep(200);
                    }
                    // the checkpoint that invalidates the slot terminates its walsender first: the source may pass
                    // through RECONNECTING before it sees the slot lost and resyncs
                    State left = source.state();
                    boolean resyncing = source.awaitState(State.BOOTSTRAPPING, WAIT);
                    assertThat(resyncing)
                            .as(
                                    "resyncing after the invalidation (left RUNNING for %s, now %s, failure %s; slots:"
                                            + " %s; WAL at %s)",
                                    left,
                                    source.state(),
                                    source.failure(),
                                    db.replicationSlots(),
                                    db.queryValue("SELECT pg_current_wal_lsn()::text"))
                            .isTrue();
                    db.execute("UPDATE t SET v = 'during' WHERE id = 2", "DELETE FROM t WHERE id = 3");
                    blocked.set(false);
                    assertThat(source.awaitState(State.RUNNING, WAIT))
                            .as("RUNNING again: %s", source.failure())
                            .isTrue();
                    db.execute("INSERT INTO t VALUES (2000, 'after')");
                    assertEqualsSelect(db, sink);
                } finally {
                    blocked.set(false); // before close(): a failed assertion must not leave the engine in the sink
                }
            }
        } finally {
            blocked.set(false);
            db.execute("ALTER SYSTEM RESET max_slot_wal_keep_size", "SELECT pg_reload_conf()");
            db.dropSlotIfExists("s_rs_inval");
        }
    }

    /**
     * The cost of a resync: {@code resync.rows} rows (default 100 000; the README's numbers use 1 000 000)
     * bootstrapped,
     * the slot dropped while stopped, 1 % of the rows updated, 1 % deleted, 1 % inserted, then the resync measured.
     * A counting consumer (not a list) keeps the test's own heap small.
     */
    @Test
    void resyncOfManyRows_measured_emitsOnlyTheDifference(PostgresServer pg) throws Exception {
        int rows = Integer.getInteger("resync.rows", 100_000);
        PostgresServer db = withRows(pg, "resync_many", rows);
        java.util.concurrent.atomic.AtomicLongArray kinds = new java.util.concurrent.atomic.AtomicLongArray(3);
        ChangeSink counting = batch -> {
            for (PositionedChange pc : batch) {
                kinds.incrementAndGet(pc.change().fold(i -> 0, u -> 1, d -> 2, t -> 2, r -> 2));
            }
        };
        long t0 = System.nanoTime();
        try (PostgresReplicationSource source = StreamingTestSupport.bootstrappedAndRunning(
                "src", resync(db, "s_rs_many").withMaxBatchSize(2048), counting, WAIT)) {
            assertThat(kinds.get(0)).isEqualTo(rows);
        }
        long bootstrapMs = (System.nanoTime() - t0) / 1_000_000;
        db.dropSlotIfExists("s_rs_many");
        db.execute(
                "UPDATE t SET v = 'u' WHERE id % 100 = 1",
                "DELETE FROM t WHERE id % 100 = 2",
                "INSERT INTO t SELECT g, 'i' FROM generate_series(" + (rows + 1) + ", " + (rows + rows / 100) + ") g");
        for (int k = 0; k < 3; k++) {
            kinds.set(k, 0);
        }
        long t1 = System.nanoTime();
        try (PostgresReplicationSource source = StreamingTestSupport.bootstrappedAndRunning(
                "src", resync(db, "s_rs_many").withMaxBatchSize(2048), counting, WAIT)) {
            long resyncMs = (System.nanoTime() - t1) / 1_000_000;
            assertThat(kinds.get(0)).as("inserts").isEqualTo(rows / 100);
            assertThat(kinds.get(1)).as("updates").isEqualTo(rows / 100);
            assertThat(kinds.get(2)).as("deletes").isEqualTo(rows / 100);
            long heldBytes = java.nio.file.Files.size(dir.resolve("offsets.dat.held"));
            System.out.println("MEASURED resync rows=" + rows + " bootstrapWithHeldMs=" + bootstrapMs + " resyncMs="
                    + resyncMs + " heldFileBytes=" + heldBytes);
        }
    }

    private static boolean awaitRunningAgain(PostgresReplicationSource source) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean left = false;
        while (System.nanoTime() < deadline) {
            State s = source.state();
            if (s != State.RUNNING) {
                left = true;
            }
            if (s.isTerminal()) {
                throw new AssertionError("source ended " + s + ": " + source.failure());
            }
            if (left && s == State.RUNNING) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    private static long count(List<SourceChange> changes, Class<?> kind) {
        return changes.stream().filter(kind::isInstance).count();
    }

    /**
     * Applies every delivered change in order (waiting up to {@link #WAIT}): equals {@code SELECT id, v} of each
     * table ({@code t} when none is named), and nothing was an anomaly (a duplicate Insert, an Update or Delete of an
     * unknown element).
     */
    static void assertEqualsSelect(PostgresServer db, RecordingSink sink, String... tables)
            throws InterruptedException {
        Map<String, Map<String, ElementValue>> expected = new TreeMap<>();
        for (String t : tables.length == 0 ? new String[] {"t"} : tables) {
            for (Map<String, Object> row : db.query("SELECT id, v FROM " + t)) {
                Map<String, ElementValue> props = new LinkedHashMap<>();
                props.put("id", new ElementValue.IntValue((Integer) row.get("id")));
                props.put("v", new ElementValue.StringValue((String) row.get("v")));
                expected.put("public:" + t + ":" + row.get("id"), props);
            }
        }
        DrasiState state = DrasiState.awaitEqual(sink, expected, WAIT);
        assertThat(state.anomalies)
                .as("duplicate Inserts, Updates or Deletes of unknown elements")
                .isEmpty();
        Set<String> missing = new HashSet<>(expected.keySet());
        missing.removeAll(state.elements.keySet());
        Set<String> extra = new HashSet<>(state.elements.keySet());
        extra.removeAll(expected.keySet());
        assertThat(missing).as("rows the consumer lacks").isEmpty();
        assertThat(extra).as("elements the consumer holds that are gone").isEmpty();
        assertThat(state.elements).as("the consumer's state equals SELECT").isEqualTo(expected);
    }

    /** Every delivered position after the one before it, across restarts too ({@code ChangePosition}'s promise). */
    static void assertPositionsIncrease(List<PositionedChange> delivered) {
        PositionedChange last = null;
        for (PositionedChange pc : delivered) {
            if (last != null) {
                assertThat(pc.position())
                        .as("position after %s", last.position())
                        .isGreaterThan(last.position());
            }
            last = pc;
        }
    }
}

package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.id;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.FailureReason;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class StreamingResilienceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void restart_afterStop_continuesWithoutDuplicatesOrLoss(PostgresServer pg, @TempDir Path dir) throws Exception {
        PostgresServer db = pg.newDatabase("stream_resume");
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        var cfg = config(db, "s_resume", "t")
                .withOffsetStore(dir.resolve("offsets.dat"))
                .build();
        RecordingSink first = new RecordingSink();
        try (PostgresReplicationSource source = new PostgresReplicationSource("src", cfg)) {
            source.start(first);
            db.execute("INSERT INTO t SELECT g, 'a' FROM generate_series(1, 50) g");
            first.await(50, WAIT);
        }
        assertThat(Files.exists(dir.resolve("offsets.dat"))).isTrue();
        db.execute("INSERT INTO t SELECT g, 'b' FROM generate_series(51, 80) g"); // while stopped
        RecordingSink second = new RecordingSink();
        try (PostgresReplicationSource source = new PostgresReplicationSource("src", cfg)) {
            source.start(second);
            db.execute("UPDATE t SET v = 'c' WHERE id = 1");
            List<SourceChange> changes = second.await(31, WAIT);
            second.assertNoMoreThan(31, Duration.ofMillis(500));
            assertThat(changes).extracting(StreamingTestSupport::id).first().isEqualTo("public:t:51");
            assertThat(changes.get(30)).isInstanceOf(SourceChange.Update.class);
            assertThat(second.positioned().get(0).position())
                    .isGreaterThan(first.positioned().get(49).position());
        }
    }

    @Test
    void walsenderTerminatedAndServerRestarted_reconnectsAndLosesNothing(PostgresServer pg) throws Exception {
        try (KeyTableStream s = KeyTableStream.running(pg, "reconnect")) {
            PostgresServer db = s.db();
            db.execute("INSERT INTO t VALUES (1)");
            s.sink().await(1, WAIT);

            assertThat(db.terminateWalSenders()).isGreaterThanOrEqualTo(1);
            db.execute("INSERT INTO t VALUES (2)"); // committed while disconnected
            s.sink().await(2, WAIT);
            assertThat(s.source().state()).isIn(State.RUNNING, State.RECONNECTING);

            if (db.canRestart()) {
                db.restart(PostgresServer.ShutdownMode.IMMEDIATE);
                db.execute("INSERT INTO t VALUES (3)");
                s.sink().await(3, WAIT);
                db.restart(PostgresServer.ShutdownMode.FAST);
                db.execute("INSERT INTO t VALUES (4)");
                s.sink().await(4, WAIT);
                assertThat(s.source().awaitState(State.RUNNING, WAIT)).isTrue();
                assertThat(s.source().stats().reconnects()).isGreaterThanOrEqualTo(2);
            }
            assertThat(s.sink().changes())
                    .extracting(StreamingTestSupport::id)
                    .doesNotHaveDuplicates()
                    .startsWith("public:t:1", "public:t:2");
        }
    }

    @Test
    void slotDroppedWhileStreaming_failsWithClearError(PostgresServer pg) throws Exception {
        try (KeyTableStream s = KeyTableStream.running(pg, "slotdrop")) {
            s.db().execute("INSERT INTO t SELECT generate_series(100, 200)");
            s.sink().await(101, WAIT);
            Thread.sleep(1500); // let the walsender publish its decoding statistics
            s.db().dropSlotIfExists("s_slotdrop");
            s.db().execute("INSERT INTO t VALUES (1)");
            assertFails(s.source(), "the slot was dropped", FailureReason.SLOT_MISSING, "s_slotdrop", "bootstrap");
        }
    }

    @Test
    void publicationDroppedWhileStreaming_failsWithClearError(PostgresServer pg) throws Exception {
        try (KeyTableStream s = KeyTableStream.running(pg, "pubdrop")) {
            s.db().execute("DROP PUBLICATION s_pubdrop_pub", "INSERT INTO t VALUES (1)");
            assertFails(
                    s.source(),
                    "the publication was dropped",
                    FailureReason.PUBLICATION_MISSING,
                    "publication s_pubdrop_pub was dropped",
                    "CREATE PUBLICATION");
        }
    }

    @Test
    void start_slotActiveInAnotherSession_failsNamingPid(PostgresServer pg) throws Exception {
        PostgresServer db = withKeyTable(pg, "stream_busy");
        try (PostgresReplicationSource first = running("a", config(db, "s_busy", "t"), new RecordingSink(), WAIT)) {
            awaitSlotActive(db, "s_busy");
            PostgresReplicationSource second =
                    new PostgresReplicationSource("b", config(db, "s_busy", "t").build());
            assertThatThrownBy(() -> second.start(new RecordingSink()))
                    .isInstanceOf(PreflightException.class)
                    .hasMessageContaining("s_busy is active in another session (pid")
                    .hasMessageContaining(": walsender, application \"")
                    .hasMessageContaining("s ago");
        }
    }

    @Test
    void start_slotReleasedWithinTheGrace_waitsAndStreams(PostgresServer pg) throws Exception {
        PostgresServer db = withKeyTable(pg, "stream_handoff");
        PostgresReplicationSource first = running("a", config(db, "s_handoff", "t"), new RecordingSink(), WAIT);
        awaitSlotActive(db, "s_handoff");
        // the previous consumer stops a moment after the next one starts (a rolling restart): the start waits for
        // the slot instead of failing on "active in another session"
        Thread stopper = new Thread(
                () -> {
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    first.close();
                },
                "test-stopper");
        stopper.start();
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource second =
                new PostgresReplicationSource("b", config(db, "s_handoff", "t").build())) {
            second.start(sink);
            stopper.join();
            assertThat(second.awaitState(State.RUNNING, WAIT)).isTrue();
            db.execute("INSERT INTO t VALUES (1)");
            assertThat(sink.await(1, WAIT)).hasSize(1);
        }
    }

    @Test
    void sinkThrows_failsWithoutAcknowledging_andNextSourceRedelivers(PostgresServer pg) throws Exception {
        PostgresServer db = withKeyTable(pg, "stream_sinkfail");
        var cfg = config(db, "s_sinkfail", "t").build(); // in-memory offsets: resume relies on the slot
        RecordingSink failing = new RecordingSink();
        failing.refuseWhen(batch -> batch.stream().anyMatch(c -> id(c.change()).equals("public:t:2")));
        try (PostgresReplicationSource source = new PostgresReplicationSource("src", cfg)) {
            source.start(failing);
            db.execute("INSERT INTO t VALUES (1)");
            failing.await(1, WAIT);
            db.execute("INSERT INTO t VALUES (2)");
            assertFails(source, "the sink refused a batch", FailureReason.SINK, "refused a batch");
        }
        RecordingSink next = new RecordingSink();
        try (PostgresReplicationSource source = new PostgresReplicationSource("src", cfg)) {
            source.start(next);
            List<SourceChange> changes = next.await(1, WAIT);
            next.assertNoMoreThan(1, Duration.ofMillis(500));
            assertThat(changes).extracting(StreamingTestSupport::id).containsExactly("public:t:2");
        }
    }

    @Test
    void idleCapturedTables_heartbeatKeepsConfirmedFlushLsnAdvancing(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("stream_idle");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE noise (id serial PRIMARY KEY, pad text)");
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source =
                running("src", config(db, "s_idle", "t").withHeartbeatInterval(Duration.ofMillis(300)), sink, WAIT)) {
            String startFlush = slotFlush(db, "s_idle");
            // WAL grows from tables that are not captured; the captured table stays idle
            db.execute("INSERT INTO noise (pad) SELECT repeat('x', 200) FROM generate_series(1, 5000)");
            String target = db.queryValue("select pg_current_wal_lsn()::text");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (Lsn.parse(slotFlush(db, "s_idle")).compareTo(Lsn.parse(target)) < 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(Lsn.parse(slotFlush(db, "s_idle")))
                    .as("confirmed_flush_lsn (started at %s)", startFlush)
                    .isGreaterThanOrEqualTo(Lsn.parse(target));
            assertThat(sink.size()).isZero();
        }
    }

    /** Asserts that {@code source} goes FAILED within {@link #WAIT} for {@code reason}, naming every phrase. */
    private static void assertFails(
            PostgresReplicationSource source, String after, FailureReason reason, String... phrases)
            throws InterruptedException {
        assertThat(source.awaitState(State.FAILED, WAIT))
                .as("state after " + after)
                .isTrue();
        assertThat(source.failure())
                .get()
                .extracting(Throwable::getMessage)
                .asString()
                .contains(phrases);
        assertThat(source.failure().orElseThrow().reason()).isEqualTo(reason);
    }

    /** A new database {@code name} with table {@code t (id int PRIMARY KEY)}. */
    private static PostgresServer withKeyTable(PostgresServer pg, String name) {
        PostgresServer db = pg.newDatabase(name);
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        return db;
    }

    /**
     * A source {@code src}, RUNNING (within {@link #WAIT}) on a new database {@code stream_<name>} made by
     * {@link #withKeyTable}, with slot {@code s_<name>}, publication {@code s_<name>_pub} and a new sink; closing it
     * closes the source.
     */
    private record KeyTableStream(PostgresServer db, RecordingSink sink, PostgresReplicationSource source)
            implements AutoCloseable {

        static KeyTableStream running(PostgresServer pg, String name) throws InterruptedException {
            PostgresServer db = withKeyTable(pg, "stream_" + name);
            RecordingSink sink = new RecordingSink();
            return new KeyTableStream(
                    db, sink, StreamingTestSupport.running("src", config(db, "s_" + name, "t"), sink, WAIT));
        }

        @Override
        public void close() {
            source.close();
        }
    }

    /** Waits up to 10 s (100 polls) for {@code slot} to be active, i.e. held by a walsender; returns either way. */
    private static void awaitSlotActive(PostgresServer db, String slot) throws InterruptedException {
        for (int i = 0;
                i < 100
                        && db.replicationSlots().stream()
                                .noneMatch(s -> s.slotName().equals(slot) && s.active());
                i++) {
            Thread.sleep(100);
        }
    }

    private static String slotFlush(PostgresServer db, String slot) {
        return db.queryValue(
                "select confirmed_flush_lsn::text from pg_replication_slots where slot_name = '" + slot + "'");
    }

    @Test
    void startWithBootstrap_concurrentWriter_finalStateMatchesTableExactly(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("stream_handover");
        db.execute(
                "CREATE TABLE acct (id int PRIMARY KEY, balance int, note text)",
                "INSERT INTO acct SELECT g, 0, 'seed' FROM generate_series(1, 2000) g");
        RecordingSink sink = new RecordingSink();
        RandomWriter writer = new RandomWriter("test-writer", 2001, (r, keys) -> {
            int id = keys.any();
            switch (r.nextInt(3)) {
                case 0 -> db.execute("INSERT INTO acct VALUES (" + keys.fresh() + ", 1, 'new') ON CONFLICT DO NOTHING");
                case 1 -> db.execute("UPDATE acct SET balance = balance + 1, note = 'upd' WHERE id = " + id);
                default -> db.execute("DELETE FROM acct WHERE id = " + id);
            }
        });
        writer.start();
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_handover", "acct").withMaxBatchSize(500).build())) {
            Thread.sleep(200);
            source.startWithBootstrap(sink, p -> {});
            Thread.sleep(1500);
            writer.stop();
            Map<String, Map<String, ElementValue>> expected = DrasiState.expectedFromSelect(db, "acct");
            String lsnNow = db.queryValue("select pg_current_wal_lsn()::text");
            DrasiState state = DrasiState.awaitEqual(sink, expected, WAIT);
            assertThat(writer.steps()).isGreaterThan(50);
            assertThat(state.anomalies).as("duplicates / ghosts").isEmpty();
            assertThat(state.elements).as("Drasi state vs SELECT at %s", lsnNow).isEqualTo(expected);
        }
    }
}

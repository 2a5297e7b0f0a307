package io.drasi.source.postgres.lifecycle;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.SourceClosedException;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.bootstrap.BootstrapCancelledException;
import io.drasi.source.postgres.bootstrap.BootstrapProgress;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle of {@link PostgresReplicationSource} against a real PostgreSQL: close() in every state
 * (before start, during the first and a later bootstrap, from inside the sink, concurrently), a second start,
 * and what a restart after an interrupted bootstrap delivers.
 */
@ExtendWith(PostgresExtension.class)
class LifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void close_beforeStart_stoppedAndLaterStartRefused(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("lc_before");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "pg-source", config(db, "s_lc_before", "t").build());
        source.close();
        source.close();
        assertThat(source.state()).isEqualTo(State.STOPPED);
        assertThat(source.failure()).isEmpty();
        assertThatThrownBy(() -> source.start(b -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STOPPED");
        assertThatThrownBy(() -> source.bootstrap(Set.of(), r -> {}, p -> {}))
                .isInstanceOf(IllegalStateException.class);
        assertThat(slots(db)).isEmpty();
    }

    @Test
    void start_twice_secondThrowsAndFirstKeepsStreaming(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("lc_twice");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        List<PositionedChange> got = new ArrayList<>();
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "pg-source", config(db, "s_lc_twice", "t").build())) {
            source.start(batch -> {
                synchronized (got) {
                    got.addAll(batch);
                }
            });
            assertThatThrownBy(() -> source.start(b -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already started");
            assertThatThrownBy(() -> source.startWithBootstrap(b -> {}, p -> {}))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
            db.execute("INSERT INTO t VALUES (1)");
            awaitSize(got, 1);
        }
    }

    @Test
    void close_duringFirstBootstrap_stopsReadingWithinASecondAndRestartBootstrapsEveryRow(PostgresServer pg)
            throws Exception {
        PostgresServer db = pg.newDatabase("lc_boot");
        int rows = 600_000;
        db.execute(
                "CREATE TABLE big (id int PRIMARY KEY, note text)",
                "INSERT INTO big SELECT g, 'row ' || g FROM generate_series(1, " + rows + ") g");
        PostgresSourceConfig cfg = config(db, "s_lc_boot", "big")
                .withOffsetStore(tmp.resolve("o/pg.offsets"))
                .build();
        PostgresReplicationSource source = new PostgresReplicationSource("pg-source", cfg);
        AtomicLong delivered = new AtomicLong();
        AtomicLong lastDeliveryNanos = new AtomicLong();
        CountDownLatch someRows = new CountDownLatch(1);
        ChangeSink slowSink = batch -> {
            lastDeliveryNanos.set(System.nanoTime());
            if (delivered.addAndGet(batch.size()) > 20_000) {
                someRows.countDown();
            }
            Thread.sleep(2); // a realistic consumer: the bootstrap takes longer than the test waits
        };
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        List<State> states = new ArrayList<>();
        Thread starter = new Thread(
                () -> {
                    try {
                        source.startWithBootstrap(slowSink, p -> {});
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                },
                "test-starter");
        starter.start();
        assertThat(someRows.await(60, TimeUnit.SECONDS)).isTrue();
        states.add(source.state());
        long closeAt = System.nanoTime();
        source.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeAt);
        starter.join(10_000);
        long stoppedReadingMs = TimeUnit.NANOSECONDS.toMillis(lastDeliveryNanos.get() - closeAt);
        System.out.printf(
                "LIFECYCLE close during bootstrap: %d of %d rows delivered, close() returned after %d ms,"
                        + " last row %d ms after close()%n",
                delivered.get(), rows, closeMs, stoppedReadingMs);
        assertThat(states).containsExactly(State.BOOTSTRAPPING);
        assertThat(starter.isAlive()).isFalse();
        assertThat(thrown.get())
                .isInstanceOf(SourceClosedException.class)
                .hasCauseInstanceOf(BootstrapCancelledException.class);
        assertThat(source.state()).isEqualTo(State.STOPPED);
        assertThat(source.failure()).isEmpty();
        assertThat(delivered.get()).isLessThan(rows);
        assertThat(closeMs).isLessThan(1000);
        assertThat(stoppedReadingMs).isLessThan(1000);
        assertThat(slots(db))
                .as("the slot of the interrupted bootstrap is dropped")
                .isEmpty();
        assertThat(db.awaitNoOtherBackends(Duration.ofSeconds(5)))
                .as("connections left open after close() (pg_stat_activity; a backend exits shortly after its"
                        + " client closed, a leaked one stays)")
                .isEmpty();

        // the restart bootstraps again, from the beginning, and then streams
        Set<String> ids = ConcurrentHashMap.newKeySet();
        AtomicLong inserts = new AtomicLong();
        try (PostgresReplicationSource again = new PostgresReplicationSource("pg-source", cfg)) {
            again.startWithBootstrap(
                    batch -> {
                        for (PositionedChange c : batch) {
                            inserts.incrementAndGet();
                            ids.add(((SourceChange.Insert) c.change())
                                    .element()
                                    .metadata()
                                    .elementId()
                                    .value());
                        }
                    },
                    BootstrapProgress.NONE);
            assertThat(inserts.get()).isEqualTo(rows);
            assertThat(ids).hasSize(rows);
            assertThat(again.awaitState(State.RUNNING, WAIT)).isTrue();
            db.execute("INSERT INTO big VALUES (0, 'after')");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (inserts.get() < rows + 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(inserts.get()).isEqualTo(rows + 1);
        }
    }

    @Test
    void close_duringLaterBootstrap_cancelsItAndLeavesNoTemporarySlot(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("lc_later");
        db.execute(
                "CREATE TABLE big (id int PRIMARY KEY, note text)",
                "INSERT INTO big SELECT g, 'row ' || g FROM generate_series(1, 400000) g");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "pg-source", config(db, "s_lc_later", "big").build());
        source.start(b -> {});
        assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
        AtomicLong rows = new AtomicLong();
        CountDownLatch some = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reader = new Thread(
                () -> {
                    try {
                        source.bootstrap(
                                Set.of(),
                                r -> {
                                    if (rows.incrementAndGet() == 5_000) {
                                        some.countDown();
                                    }
                                    if (rows.get() % 1000 == 0) {
                                        java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                                    }
                                },
                                p -> {});
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                },
                "test-later-bootstrap");
        reader.start();
        assertThat(some.await(60, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        source.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        reader.join(10_000);
        System.out.printf(
                "LIFECYCLE close during a later bootstrap: %d rows, close() returned after %d ms%n",
                rows.get(), closeMs);
        assertThat(thrown.get()).isInstanceOf(BootstrapCancelledException.class);
        assertThat(source.state()).isEqualTo(State.STOPPED);
        assertThat(closeMs).isLessThan(3000);
        assertThat(slots(db)).extracting(PostgresServer.SlotInfo::slotName).containsExactly("s_lc_later");
        assertThat(slots(db)).noneMatch(PostgresServer.SlotInfo::active);
    }

    @Test
    void close_fromInsideTheSink_whileStreamingAndDuringBootstrap_stopsWithoutDeadlock(PostgresServer pg)
            throws Exception {
        PostgresServer db = pg.newDatabase("lc_inside");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT g FROM generate_series(1, 5000) g");
        AtomicReference<PostgresReplicationSource> ref = new AtomicReference<>();
        PostgresReplicationSource streaming = new PostgresReplicationSource(
                "pg-source", config(db, "s_lc_inside", "t").build());
        ref.set(streaming);
        streaming.start(batch -> ref.get().close());
        assertThat(streaming.awaitState(State.RUNNING, WAIT)).isTrue();
        db.execute("INSERT INTO t VALUES (0)");
        assertThat(awaitTerminal(streaming)).isEqualTo(State.STOPPED);
        streaming.close();

        db.dropSlotIfExists("s_lc_inside");
        PostgresReplicationSource booting = new PostgresReplicationSource(
                "pg-source",
                config(db, "s_lc_inside", "t").withMaxBatchSize(100).build());
        assertThatThrownBy(() -> booting.startWithBootstrap(batch -> booting.close(), p -> {}))
                .isInstanceOf(SourceClosedException.class);
        assertThat(awaitTerminal(booting)).isEqualTo(State.STOPPED);
        booting.close();
        assertThat(slots(db)).isEmpty();
    }

    @Test
    void close_concurrentlyFromManyThreadsDuringEngineStart_allReturnStopped(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("lc_conc");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "pg-source", config(db, "s_lc_conc", "t").build());
        source.start(b -> {});
        List<State> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        closeConcurrently(source, 4, "lc-closer", seen::add);
        assertThat(seen).hasSize(4).containsOnly(State.STOPPED);
        assertThat(slots(db)).noneMatch(PostgresServer.SlotInfo::active);
    }

    /**
     * Calls {@code source.close()} from {@code threads} threads at the same moment, each then handing the state
     * close() returned in to {@code afterClose}; returns when every thread ended (asserted, within 30 s).
     */
    static void closeConcurrently(
            PostgresReplicationSource source, int threads, String threadName, Consumer<State> afterClose)
            throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> closers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(
                    () -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        source.close();
                        afterClose.accept(source.state());
                    },
                    threadName);
            t.start();
            closers.add(t);
        }
        go.countDown();
        for (Thread t : closers) {
            t.join(30_000);
            assertThat(t.isAlive()).as("close() returns").isFalse();
        }
    }

    /** The slots of this test's database (the server is shared). */
    static List<PostgresServer.SlotInfo> slots(PostgresServer db) {
        return db.replicationSlots().stream()
                .filter(s -> s.database().equals(db.database()))
                .toList();
    }

    private static State awaitTerminal(PostgresReplicationSource s) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!s.state().isTerminal() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return s.state();
    }

    private static void awaitSize(List<?> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (list) {
                if (list.size() >= n) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("fewer than " + n + " changes");
    }
}

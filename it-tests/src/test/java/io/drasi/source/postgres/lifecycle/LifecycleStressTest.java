package io.drasi.source.postgres.lifecycle;

import static io.drasi.source.postgres.lifecycle.LifecycleTest.slots;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.FailureReason;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.SourceClosedException;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.bootstrap.BootstrapCancelledException;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Random interleavings of start, startWithBootstrap, bootstrap and close from several threads, sink
 * failures, close from inside the sink, and server restarts, against a real PostgreSQL. After every
 * iteration the source is terminal and says why; at the end no thread, connection, active or temporary
 * slot, or temporary file is left. Seeded ({@code -Dlifecycle.seed=N} repeats a run);
 * {@code -Dlifecycle.iterations=N} (default 200).
 */
@ExtendWith(PostgresExtension.class)
class LifecycleStressTest {

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleStressTest.class);
    private static final int ITERATIONS = Integer.getInteger("lifecycle.iterations", 200);
    private static final long SEED = Long.getLong("lifecycle.seed", System.nanoTime());
    private static final String SLOT = "s_lc_stress";
    /** A server restart while streaming after every this many iterations ({@code -Dlifecycle.restartEvery=N}). */
    private static final int RESTART_EVERY = Integer.getInteger("lifecycle.restartEvery", 70);

    @TempDir
    Path tmp;

    private enum Scenario {
        CLOSE_BEFORE_START,
        START_THEN_CLOSE,
        BOOTSTRAP_THEN_CLOSE,
        CONCURRENT_CLOSERS,
        SINK_FAILS,
        CLOSE_INSIDE_SINK,
        LATER_BOOTSTRAP_THEN_CLOSE,
        SECOND_START
    }

    @Test
    void randomInterleavings_alwaysTerminalAndNothingLeaks(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("lc_stress");
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT g, 0 FROM generate_series(1, 30000) g");
        Set<String> threadsBefore = threadNames();
        Path offsets = tmp.resolve("offsets/stress.offsets");
        Random random = new Random(SEED);
        // one source, one offset store (a file or memory, chosen per run): two offset stores on one slot are two
        // consumers, and Debezium rightly refuses a stored position the slot has already passed
        boolean fileOffsets = random.nextBoolean();
        Map<String, Integer> counts = new TreeMap<>();
        List<String> history = new ArrayList<>();
        int restarts = 0;
        long started = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            Scenario scenario = Scenario.values()[random.nextInt(Scenario.values().length)];
            PostgresSourceConfig cfg = (fileOffsets
                            ? config(db, SLOT, "t").withOffsetStore(offsets)
                            : config(db, SLOT, "t"))
                    .withMaxBatchSize(512)
                    .build();
            int delayMs = random.nextInt(120);
            LOG.debug("iteration {}: {} after {} ms", i, scenario, delayMs);
            String outcome;
            try {
                outcome = run(db, scenario, cfg, delayMs, random.nextInt(4));
            } catch (Throwable e) {
                explain(db, i, scenario, history);
                throw e;
            }
            history.add("#" + i + " " + scenario + " after " + delayMs + " ms");
            counts.merge(scenario + "->" + outcome, 1, Integer::sum);
            if (pg.canRestart() && i > 0 && i % RESTART_EVERY == 0) {
                history.add("#" + i + " server restart while streaming");
                restartWhileStreaming(pg, db, cfg);
                restarts++;
            }
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        LOG.info(
                "LIFECYCLE stress: {} iterations, {} server restarts, seed {}, {} ms: {}",
                ITERATIONS,
                restarts,
                SEED,
                elapsedMs,
                counts);
        System.out.printf(
                "LIFECYCLE stress: %d iterations, %d server restarts, seed %d, %d ms: %s%n",
                ITERATIONS, restarts, SEED, elapsedMs, counts);

        awaitNoLeaks(db, threadsBefore);
        try (Stream<Path> files =
                Files.exists(offsets.getParent()) ? Files.list(offsets.getParent()) : Stream.empty()) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary files")
                    .noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    /**
     * A failed iteration is rare and timing-bound (CI saw a slot still held after the previous close): say what led
     * to it, who holds connections on the server, and what this JVM's threads were doing.
     */
    private static void explain(PostgresServer db, int i, Scenario scenario, List<String> history) {
        StringBuilder b =
                new StringBuilder("iteration " + i + " (" + scenario + ", seed " + SEED + ") failed; before: ");
        b.append(history.subList(Math.max(0, history.size() - 4), history.size()));
        try {
            b.append("\nserver sessions: ")
                    .append(db.query("SELECT pid, backend_type, application_name, state, backend_start, query"
                            + " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
                    .append("\nslots: ")
                    .append(slots(db));
        } catch (RuntimeException e) {
            b.append("\n(server not readable: ").append(e).append(')');
        }
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (ours(t.getName()) || t.getName().startsWith("pool-")) {
                b.append("\nthread ").append(t.getName()).append(' ').append(t.getState());
                for (int k = 0; k < Math.min(stack.length, 12); k++) {
                    b.append("\n    at ").append(stack[k]);
                }
            }
        });
        LOG.error("{}", b);
    }

    /** @return a short outcome label; fails on any outcome the lifecycle does not define */
    private String run(PostgresServer db, Scenario scenario, PostgresSourceConfig cfg, int delayMs, int closers)
            throws Exception {
        PostgresReplicationSource source = new PostgresReplicationSource("stress", cfg);
        AtomicInteger delivered = new AtomicInteger();
        ChangeSink counting = b -> delivered.addAndGet(b.size());
        String outcome;
        switch (scenario) {
            case CLOSE_BEFORE_START -> {
                source.close();
                outcome = expectRefused(() -> source.start(counting));
            }
            case START_THEN_CLOSE, CONCURRENT_CLOSERS -> {
                Thread starter = starter(() -> source.start(counting));
                Thread.sleep(delayMs);
                closeFrom(source, scenario == Scenario.CONCURRENT_CLOSERS ? 1 + closers : 1);
                starter.join(30_000);
                outcome = "ok";
            }
            case BOOTSTRAP_THEN_CLOSE -> {
                Thread starter = starter(() -> source.startWithBootstrap(counting, p -> {}));
                Thread.sleep(delayMs);
                closeFrom(source, 1 + closers % 2);
                starter.join(30_000);
                outcome = "ok";
            }
            case SINK_FAILS -> {
                source.start(b -> {
                    throw new IllegalStateException("test sink refuses");
                });
                db.execute("UPDATE t SET v = v + 1 WHERE id = 1");
                awaitTerminal(source);
                assertThat(source.state()).isEqualTo(State.FAILED);
                assertThat(source.failure().orElseThrow().reason()).isEqualTo(FailureReason.SINK);
                source.close();
                outcome = "failed";
            }
            case CLOSE_INSIDE_SINK -> {
                source.start(b -> source.close());
                db.execute("UPDATE t SET v = v + 1 WHERE id = 2");
                awaitTerminal(source);
                source.close();
                outcome = "ok";
            }
            case LATER_BOOTSTRAP_THEN_CLOSE -> {
                source.start(counting);
                Thread reader = starter(() -> source.bootstrap(Set.of(), r -> delivered.incrementAndGet(), p -> {}));
                Thread.sleep(delayMs);
                closeFrom(source, 1);
                reader.join(30_000);
                outcome = "ok";
            }
            case SECOND_START -> {
                source.start(counting);
                outcome = expectRefused(() -> source.start(counting));
                Thread.sleep(delayMs);
                source.close();
            }
            default -> throw new AssertionError(scenario);
        }
        assertThat(source.state()).as(scenario + " after close()").isIn(State.STOPPED, State.FAILED);
        if (source.state() == State.FAILED) {
            assertThat(source.failure()).as(scenario + ": FAILED says why").isPresent();
            if (scenario != Scenario.SINK_FAILS) {
                throw new AssertionError(
                        scenario + " failed: " + source.failure().get(),
                        source.failure().get());
            }
        } else {
            assertThat(source.failure())
                    .as(scenario + ": a requested stop is not a failure")
                    .isEmpty();
        }
        return outcome;
    }

    private interface Action {
        void run() throws Exception;
    }

    private static String expectRefused(Action a) throws Exception {
        try {
            a.run();
        } catch (IllegalStateException e) {
            return "refused";
        }
        throw new AssertionError("a start after close()/start() must throw IllegalStateException");
    }

    private static final Set<Class<?>> EXPECTED =
            Set.of(SourceClosedException.class, BootstrapCancelledException.class);
    private final Map<String, Throwable> unexpected = new ConcurrentHashMap<>();

    private Thread starter(Action a) {
        Thread t = new Thread(
                () -> {
                    try {
                        a.run();
                    } catch (Throwable e) {
                        if (!EXPECTED.contains(e.getClass()) && !calledAfterClose(e)) {
                            unexpected.put(e.toString(), e);
                        }
                    }
                },
                "stress-starter");
        t.start();
        return t;
    }

    /**
     * A starter thread that is scheduled only after the close (a short delay) calls start/bootstrap on a closed
     * source: the defined answer is IllegalStateException naming the closed state (seen once in CI: the
     * bootstrap() of LATER_BOOTSTRAP_THEN_CLOSE came after the close).
     */
    private static boolean calledAfterClose(Throwable e) {
        return e instanceof IllegalStateException
                && e.getMessage() != null
                && e.getMessage().contains("closed (state ");
    }

    private void closeFrom(PostgresReplicationSource source, int threads) throws InterruptedException {
        LifecycleTest.closeConcurrently(source, threads, "stress-closer", s -> {
            if (!s.isTerminal()) {
                unexpected.put("close() returned in " + s, new AssertionError(s));
            }
        });
        assertThat(unexpected).as("unexpected exceptions from start/close").isEmpty();
    }

    private void restartWhileStreaming(PostgresServer pg, PostgresServer db, PostgresSourceConfig cfg)
            throws Exception {
        try (PostgresReplicationSource source = new PostgresReplicationSource("stress", cfg)) {
            source.start(b -> {});
            assertThat(source.awaitState(State.RUNNING, Duration.ofSeconds(30))).isTrue();
            pg.restart(PostgresServer.ShutdownMode.FAST);
            assertThat(source.awaitState(State.RUNNING, Duration.ofSeconds(30)))
                    .as("back after the restart")
                    .isTrue();
            db.execute("UPDATE t SET v = v + 1 WHERE id = 3");
        }
    }

    private static void awaitTerminal(PostgresReplicationSource s) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!s.state().isTerminal() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static Set<String> threadNames() {
        Set<String> names = ConcurrentHashMap.newKeySet();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }

    private static boolean ours(String name) {
        return name.startsWith("drasi-")
                || name.startsWith("debezium")
                || name.contains("blocking-snapshot")
                || name.startsWith("stress-");
    }

    private static void awaitNoLeaks(PostgresServer db, Set<String> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<String> threads;
        String connections;
        List<PostgresServer.SlotInfo> busy;
        do {
            Thread.sleep(200);
            threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive)
                    .map(Thread::getName)
                    .filter(n -> ours(n) && !before.contains(n))
                    .toList();
            connections = db.queryValue("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND pid <> pg_backend_pid()");
            busy = slots(db).stream().filter(s -> s.active() || s.temporary()).toList();
        } while ((!threads.isEmpty() || !"0".equals(connections) || !busy.isEmpty()) && System.nanoTime() < deadline);
        assertThat(threads).as("threads left running").isEmpty();
        assertThat(connections).as("connections left open (pg_stat_activity)").isEqualTo("0");
        assertThat(busy).as("active or temporary slots left").isEmpty();
    }
}

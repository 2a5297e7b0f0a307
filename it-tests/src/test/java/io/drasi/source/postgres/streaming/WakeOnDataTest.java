package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import io.drasi.source.postgres.testing.StderrCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The default engine wakes on data (issue 19): the replication stream waits on its socket and the polling thread
 * on a data signal. Idle gaps are longer than both waits (0.5 s and 1 s), so every burst starts while they block.
 * Checks delivery exactly once across idle gaps, bursts and a terminated walsender, a prompt stop while idle, and
 * the fallback when the socket cannot be waited on ({@code -Ddrasi.pg.engine.socketWait=false}).
 */
@Tag("pg-matrix")
@ExtendWith(PostgresExtension.class)
class WakeOnDataTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SWITCH = "drasi.pg.engine.socketWait";
    private static final String FALLBACK_WARNING = "cannot wait on the replication socket";
    private static final Pattern ID = Pattern.compile("public:t:(\\d+)");

    @Test
    void idleGapsThenBursts_everyChangeDeliveredExactlyOnceInOrder(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("wake_bursts");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        RecordingSink sink = new RecordingSink();
        String logs = StderrCapture.during(() -> {
            try (PostgresReplicationSource source = new PostgresReplicationSource(
                    "src", config(db, "s_wake_bursts", "t").build())) {
                Set<Thread> publishersBefore = lagPublisherThreads();
                Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
                source.start(sink);
                assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
                int next = burstsAfterIdleGaps(db, 1, 3);
                sink.await(next - 1, WAIT);
                sink.assertNoMoreThan(next - 1, Duration.ofMillis(500));
                assertThat(lagPublisherThreads())
                        .as("Debezium's lag publisher thread (a 100 ms poll loop) is replaced by InlineLagMeasurement")
                        .isSubsetOf(publishersBefore);
                assertThat(Thread.getAllStackTraces().keySet().stream()
                                .filter(t -> !threadsBefore.contains(t)
                                        && t.getName().matches("pool-\\d+-thread-\\d+")))
                        .as("the engine's polling thread only: records are processed on it (InlineRecordProcessing),"
                                + " no record pool thread")
                        .hasSize(1);
            }
        });
        assertThat(ids(sink.changes())).containsExactlyElementsOf(range(1, 3 * BURST));
        assertThat(logs).as("the socket wait is in use").doesNotContain(FALLBACK_WARNING);
    }

    @Test
    void walsenderTerminatedWhileWaitingOnTheSocket_reconnectsAndLosesNothing(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("wake_kill");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_wake_kill", "t").build())) {
            source.start(sink);
            assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
            db.execute("INSERT INTO t VALUES (1)");
            sink.await(1, WAIT);
            Thread.sleep(1500); // idle: the streaming thread blocks on the socket
            assertThat(terminateWalsender(db, "s_wake_kill")).isEqualTo(1);
            db.execute("INSERT INTO t VALUES (2)"); // committed while the source reconnects
            sink.await(2, WAIT);
            int next = burstsAfterIdleGaps(db, 3, 1);
            Thread.sleep(1500);
            awaitSlotActive(db, "s_wake_kill");
            assertThat(terminateWalsender(db, "s_wake_kill")).isEqualTo(1);
            db.execute("INSERT INTO t SELECT g FROM generate_series(" + next + ", " + (next + 99) + ") g");
            sink.await(next + 99, WAIT);
            sink.assertNoMoreThan(next + 99, Duration.ofMillis(500));
            assertThat(source.stats().reconnects()).isGreaterThanOrEqualTo(1);
        }
        assertThat(ids(sink.changes())).containsExactlyElementsOf(range(1, 2 + BURST + 100));
    }

    @Test
    void close_whileIdle_returnsWithinTwoSeconds(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("wake_close");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        RecordingSink sink = new RecordingSink();
        PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_wake_close", "t").build());
        try {
            source.start(sink);
            assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
            db.execute("INSERT INTO t VALUES (1)");
            sink.await(1, WAIT);
            Thread.sleep(2000); // idle: both waits block
        } finally {
            long t0 = System.nanoTime();
            source.close();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("close() while idle took %d ms", ms).isLessThan(2000);
        }
        assertThat(source.state()).isEqualTo(State.STOPPED);
    }

    @Test
    void socketWaitSwitchedOff_pollsInsteadDeliversEverythingAndWarnsOnce(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("wake_fallback");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        RecordingSink sink = new RecordingSink();
        String before = System.getProperty(SWITCH);
        System.setProperty(SWITCH, "false");
        String logs;
        try {
            logs = StderrCapture.during(() -> {
                try (PostgresReplicationSource source = new PostgresReplicationSource(
                        "src", config(db, "s_wake_fallback", "t").build())) {
                    source.start(sink);
                    assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
                    int next = burstsAfterIdleGaps(db, 1, 1);
                    sink.await(next - 1, WAIT);
                    awaitSlotActive(db, "s_wake_fallback");
                    assertThat(terminateWalsender(db, "s_wake_fallback")).isEqualTo(1); // a new stream: no 2nd WARN
                    next = burstsAfterIdleGaps(db, next, 1);
                    sink.await(next - 1, WAIT);
                    sink.assertNoMoreThan(next - 1, Duration.ofMillis(500));
                    assertThat(source.stats().reconnects()).isGreaterThanOrEqualTo(1);
                }
            });
        } finally {
            if (before == null) {
                System.clearProperty(SWITCH);
            } else {
                System.setProperty(SWITCH, before);
            }
        }
        assertThat(ids(sink.changes())).containsExactlyElementsOf(range(1, 2 * BURST));
        assertThat(logs.split(Pattern.quote(FALLBACK_WARNING), -1))
                .as("one WARN for the source: %s", logs)
                .hasSize(2);
        assertThat(logs).contains("WARN").contains(SWITCH + "=false");
    }

    /** Changes per burst: one 200-row transaction and 50 single-row ones. */
    private static final int BURST = 250;

    /** @return the live threads running Debezium's {@code MeasurementCollector} publisher loop */
    private static Set<Thread> lagPublisherThreads() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().isAlive()
                        && Arrays.stream(e.getValue())
                                .anyMatch(f ->
                                        f.getClassName().startsWith("io.debezium.metrics.stats.MeasurementCollector")))
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    /** @return the next id; each burst follows an idle gap longer than the socket and poll waits */
    private static int burstsAfterIdleGaps(PostgresServer db, int first, int bursts) throws InterruptedException {
        int next = first;
        for (int b = 0; b < bursts; b++) {
            Thread.sleep(1500);
            db.execute("INSERT INTO t SELECT g FROM generate_series(" + next + ", " + (next + 199) + ") g");
            next += 200;
            String[] singles = new String[50];
            for (int i = 0; i < singles.length; i++) {
                singles[i] = "INSERT INTO t VALUES (" + (next + i) + ")";
            }
            db.execute(singles); // autocommit: 50 transactions
            next += 50;
        }
        return next;
    }

    private static int terminateWalsender(PostgresServer db, String slot) {
        return Integer.parseInt(db.queryValue("select count(pg_terminate_backend(active_pid)) from pg_replication_slots"
                + " where slot_name = '" + slot + "' and active_pid is not null"));
    }

    private static void awaitSlotActive(PostgresServer db, String slot) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!"true"
                        .equals(db.queryValue(
                                "select active::text from pg_replication_slots where slot_name = '" + slot + "'"))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static List<Integer> ids(List<SourceChange> changes) {
        List<Integer> out = new ArrayList<>();
        for (SourceChange c : changes) {
            Matcher m = ID.matcher(StreamingTestSupport.id(c));
            assertThat(m.matches()).as("id %s", StreamingTestSupport.id(c)).isTrue();
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().toList();
    }
}

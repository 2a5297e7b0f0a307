package io.drasi.source.postgres.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGKILL of the process that runs the source — during the first bootstrap, mid-stream and inside a
 * 1 000-row transaction — while a writer keeps changing the table. After the last restart the
 * deduplicated Drasi state must equal {@code SELECT}: 0 lost; raw duplicates only of changes that were
 * not yet acknowledged, 0 after dedupe by position. Trials: {@code -Dreliability.trials=N} (CI: 3).
 */
@Tag("reliability")
@ExtendWith(PostgresExtension.class)
class KillRecoveryTest {

    private static final Logger LOG = LoggerFactory.getLogger(KillRecoveryTest.class);
    private static final int TRIALS = Integer.getInteger("reliability.trials", 3);

    @Test
    void sigkill_repeatedDuringBootstrapStreamAndLargeTransactions_losesNothing(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("fault_kill");
        db.execute(
                "CREATE TABLE items (id int PRIMARY KEY, v int, note text)",
                "INSERT INTO items SELECT g, 0, 'seed' FROM generate_series(1, 20000) g");
        // kept under target/ so a failing run can be inspected
        Path dir = Path.of("target", "fault-kill", Long.toString(System.currentTimeMillis()));
        Files.createDirectories(dir);
        Path out = dir.resolve("changes.tsv");
        Path offsets = dir.resolve("offsets/fault.offsets");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger ops = new AtomicInteger();
        Thread writer = new Thread(() -> write(db, stop, ops), "fault-writer");
        writer.start();
        List<String> kills = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int trial = 1; trial <= TRIALS; trial++) {
                long linesBefore = lineCount(out);
                Process p = startChild(db, offsets, out, trial);
                String when;
                if (trial == 1) {
                    // mid-bootstrap: as soon as the first bootstrap batch is out
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (lineCount(out) == linesBefore && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    when = "during the first bootstrap (" + (lineCount(out) - linesBefore) + " rows out)";
                } else {
                    long killAfter = ThreadLocalRandom.current().nextLong(1200, 3000);
                    Thread.sleep(killAfter);
                    when = "after " + killAfter + " ms";
                }
                p.destroyForcibly(); // SIGKILL
                p.waitFor(30, TimeUnit.SECONDS);
                kills.add("trial " + trial + ": killed " + when);
            }
            Process last = startChild(db, offsets, out, 0);
            Thread.sleep(1500);
            stop.set(true);
            writer.join();
            Map<String, Map<String, ElementValue>> expected = new TreeMap<>();
            for (Map<String, Object> row : db.query("SELECT id, v, note FROM items")) {
                expected.put(
                        "public:items:" + row.get("id"),
                        Map.of(
                                "id", new ElementValue.IntValue((Integer) row.get("id")),
                                "v", new ElementValue.IntValue((Integer) row.get("v")),
                                "note", new ElementValue.StringValue((String) row.get("note"))));
            }
            FaultLog replayed = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                replayed = FaultLog.replay(out);
                if (replayed.state.equals(expected)) {
                    break;
                }
                Thread.sleep(300);
            }
            last.destroy();
            last.waitFor(30, TimeUnit.SECONDS);
            FaultLog log = replayed;
            long lost = expected.entrySet().stream()
                    .filter(e -> !e.getValue().equals(log.state.get(e.getKey())))
                    .count();
            long extra = log.state.keySet().stream()
                    .filter(k -> !expected.containsKey(k))
                    .count();
            LOG.info(
                    "RELIABILITY kill trials={} writerOps={} lines={} rawDuplicates={} bootstraps={} lost={} extra={}"
                            + " afterDedupeAnomalies={} elapsedMs={} {}",
                    TRIALS,
                    ops.get(),
                    log.lines,
                    log.duplicates,
                    log.bootstraps,
                    lost,
                    extra,
                    log.anomalies.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    kills);
            assertThat(lost)
                    .as("rows whose final Drasi state differs from SELECT (lost or stale)")
                    .isZero();
            assertThat(extra).as("elements that no longer exist").isZero();
            assertThat(log.anomalies)
                    .as("after dedupe by position: duplicate inserts, ghost updates/deletes")
                    .isEmpty();
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    private static long lineCount(Path f) throws java.io.IOException {
        if (!Files.exists(f)) {
            return 0;
        }
        try (var lines = Files.lines(f)) {
            return lines.count();
        }
    }

    private static void write(PostgresServer db, AtomicBoolean stop, AtomicInteger ops) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int next = 20001;
        while (!stop.get()) {
            int op = r.nextInt(100);
            try {
                if (op < 3) {
                    int from = next;
                    next += 1000;
                    db.execute("INSERT INTO items SELECT g, 1, 'bulk' FROM generate_series(" + from + ", " + (next - 1)
                            + ") g");
                } else if (op < 40) {
                    db.execute("INSERT INTO items VALUES (" + (next++) + ", 1, 'new')");
                } else if (op < 80) {
                    db.execute("UPDATE items SET v = v + 1, note = 'upd' WHERE id = " + r.nextInt(1, next));
                } else {
                    db.execute("DELETE FROM items WHERE id = " + r.nextInt(1, next));
                }
                ops.incrementAndGet();
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Process startChild(PostgresServer db, Path offsets, Path out, int trial) throws Exception {
        Files.createDirectories(offsets.getParent());
        return new ProcessBuilder(RecordingStreamer.command(db, "items", "fault_kill_slot", offsets, out.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        out.resolveSibling("child-" + trial + ".log").toFile()))
                .start();
    }
}

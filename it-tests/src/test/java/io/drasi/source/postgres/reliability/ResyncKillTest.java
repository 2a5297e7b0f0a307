package io.drasi.source.postgres.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SIGKILL of the source's JVM in the middle of an {@code on_slot_loss: resync}, then a restart: the restarted
 * source resyncs again against what the consumer acknowledged, and the consumer's state (every line the child
 * wrote, applied in order) equals SELECT. The only changes applied twice are those of the batch in flight at the
 * kill (written by the sink, never acknowledged): at-least-once, as for the stream.
 */
@Tag("reliability")
@ExtendWith(PostgresExtension.class)
class ResyncKillTest {

    private static final int ROWS = 30_000;
    private static final int BATCH = 256;

    @Test
    void sigkillDuringResync_restart_consumerEqualsTable(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("resync_kill");
        db.execute(
                "CREATE TABLE items (id int PRIMARY KEY, v int, note text)",
                "INSERT INTO items SELECT g, 0, 'seed' FROM generate_series(1, " + ROWS + ") g");
        Path dir = Path.of("target", "resync-kill", Long.toString(System.currentTimeMillis()));
        Files.createDirectories(dir);
        Path out = dir.resolve("changes.tsv");
        Path offsets = dir.resolve("offsets/fault.offsets");
        Process first = startChild(db, offsets, out, 1, 0);
        awaitLines(out, ROWS, first);
        first.destroy(); // a clean stop: the bootstrap is acknowledged
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        db.dropSlotIfExists("resync_kill_slot");
        db.execute(
                "DELETE FROM items WHERE id % 3 = 0",
                "UPDATE items SET v = 1 WHERE id % 3 = 1",
                "INSERT INTO items SELECT g, 2, 'new' FROM generate_series(" + (ROWS + 1) + ", " + (ROWS + 5000)
                        + ") g");
        long before = lineCount(out);
        Process second = startChild(db, offsets, out, 2, 30); // 30 ms per batch: the resync takes seconds
        awaitLines(out, before + 10 * BATCH, second);
        second.destroyForcibly(); // SIGKILL mid-resync
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long atKill = lineCount(out);
        long expectedDiff = ROWS / 3 + (ROWS / 3 + 1) + 5000; // deletes + updates + inserts
        assertThat(atKill - before).as("killed in the middle of the resync").isLessThan(expectedDiff);
        db.execute("UPDATE items SET v = 3 WHERE id = 1"); // after the kill
        Process third = startChild(db, offsets, out, 3, 0);
        try {
            Map<String, Map<String, ElementValue>> expected = expected(db);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            FaultLog log = FaultLog.replay(out);
            while (!log.state.equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(300);
                log = FaultLog.replay(out);
            }
            assertThat(log.state).as("consumer state equals SELECT").isEqualTo(expected);
            // only the batch in flight at the kill may have been applied twice
            assertThat(log.anomalies.size()).as("anomalies: %s", log.anomalies).isLessThanOrEqualTo(BATCH);
            System.out.println("MEASURED resync SIGKILL: " + (atKill - before) + " resync lines before the kill, "
                    + log.anomalies.size() + " re-applied after it (the batch in flight), state == SELECT");
        } finally {
            third.destroy();
            third.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, Map<String, ElementValue>> expected(PostgresServer db) {
        Map<String, Map<String, ElementValue>> expected = new TreeMap<>();
        for (Map<String, Object> row : db.query("SELECT id, v, note FROM items")) {
            Map<String, ElementValue> props = new LinkedHashMap<>();
            props.put("id", new ElementValue.IntValue((Integer) row.get("id")));
            props.put("v", new ElementValue.IntValue((Integer) row.get("v")));
            props.put("note", new ElementValue.StringValue((String) row.get("note")));
            expected.put("public:items:" + row.get("id"), props);
        }
        return expected;
    }

    private static void awaitLines(Path out, long n, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (lineCount(out) < n) {
            if (!p.isAlive()) {
                throw new AssertionError("child ended with " + p.exitValue() + " before " + n + " lines");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " lines: " + lineCount(out));
            }
            Thread.sleep(10);
        }
    }

    private static long lineCount(Path out) throws java.io.IOException {
        if (!Files.exists(out)) {
            return 0;
        }
        long n = 0;
        for (byte b : Files.readAllBytes(out)) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    private static Process startChild(PostgresServer db, Path offsets, Path out, int run, int sinkDelayMs)
            throws Exception {
        Files.createDirectories(offsets.getParent());
        List<String> cmd = RecordingStreamer.command(
                db,
                "items",
                "resync_kill_slot",
                offsets,
                out.toString(),
                "-DonSlotLoss=resync",
                "-Dbatch=" + BATCH,
                "-DsinkDelayMs=" + sinkDelayMs);
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        out.resolveSibling("child-" + run + ".log").toFile()))
                .start();
    }
}

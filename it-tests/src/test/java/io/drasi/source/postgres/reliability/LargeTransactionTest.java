package io.drasi.source.postgres.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single transaction of {@code -Dreliability.largeTxRows} rows (default 1 000 000) streams through a source
 * running in a child JVM with {@code -Xmx256m}: no OutOfMemoryError, every row delivered. Logs rows/s and
 * the child's peak RSS.
 */
@Tag("reliability")
@ExtendWith(PostgresExtension.class)
class LargeTransactionTest {

    private static final Logger LOG = LoggerFactory.getLogger(LargeTransactionTest.class);
    private static final int ROWS = Integer.getInteger("reliability.largeTxRows", 1_000_000);

    @TempDir
    Path tmp;

    @Test
    void oneMillionRowTransaction_at256MbHeap_streamsCompletely(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("fault_bigtx");
        db.execute("CREATE TABLE big (id int PRIMARY KEY, a int, b bigint, c text, d timestamptz, e numeric(12,2),"
                + " f boolean, g float8, h uuid, i text)");
        List<String> cmd = RecordingStreamer.command(
                db,
                "big",
                "fault_bigtx_slot",
                tmp.resolve("o.offsets"),
                "count",
                "-XX:+ExitOnOutOfMemoryError",
                "-Dbatch=2048");
        Process child = new ProcessBuilder(cmd)
                .redirectError(tmp.resolve("child.err").toFile())
                .start();
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && !line.equals("STREAMING")) {
                // wait until the slot exists
            }
            long t0 = System.nanoTime();
            db.execute("INSERT INTO big SELECT g, g, g * 10, md5(g::text), now(), g / 3.0, g % 2 = 0, g * 1.5,"
                    + " md5(g::text)::uuid, 'x' FROM generate_series(1, " + ROWS + ") g");
            long inserted = System.nanoTime();
            long count = 0;
            long maxHeap = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while ((line = r.readLine()) != null && System.nanoTime() < deadline) {
                if (line.startsWith("COUNT ")) {
                    String[] parts = line.split(" ");
                    count = Long.parseLong(parts[1]);
                    maxHeap = Math.max(maxHeap, Long.parseLong(parts[2].substring("heapUsedMb=".length())));
                    if (count >= ROWS) {
                        break;
                    }
                }
            }
            long done = System.nanoTime();
            long rssKb = peakRssKb(child.pid());
            assertThat(child.isAlive())
                    .as(
                            "child alive (no OOM); stderr: %s",
                            Files.exists(tmp.resolve("child.err")) ? Files.readString(tmp.resolve("child.err")) : "")
                    .isTrue();
            assertThat(count).isEqualTo(ROWS);
            double secs = (done - inserted) / 1e9;
            LOG.info(
                    "RELIABILITY largeTx rows={} insertMs={} streamAfterCommitMs={} rowsPerSec={} peakHeapUsedMb={}"
                            + " peakRssMb={}",
                    ROWS,
                    (inserted - t0) / 1_000_000,
                    (done - inserted) / 1_000_000,
                    Math.round(ROWS / secs),
                    maxHeap,
                    rssKb / 1024);
        } finally {
            child.destroy();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static long peakRssKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }
}

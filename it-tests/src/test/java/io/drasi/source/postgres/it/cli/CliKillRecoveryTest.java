package io.drasi.source.postgres.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of {@code drasi-pg stream} twice in the middle of a backlog, then a restart that drains it (issue 19:
 * the CLI writes stdout on its own thread and a batch is acknowledged only after its write completed). Every row
 * arrives, in commit order; the only repeats are a restart replaying the tail its predecessor had printed but not yet
 * acknowledged — line for line identical, bounded by the batches in flight — so after dropping those replays every
 * row is there exactly once. A line torn by the kill is printed whole by the restart.
 */
@ExtendWith(PostgresExtension.class)
class CliKillRecoveryTest {

    private static final int ROWS = 60_000;
    private static final int MAX_BATCH = 2048; // the default max_batch_size
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void stream_kill9TwiceMidBacklog_everyRowOnceInOrderAfterReplayOfTheUnacknowledgedTail(PostgresServer pg)
            throws Exception {
        PostgresServer db = pg.newDatabase("cli_kill");
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "CREATE PUBLICATION kill_pub FOR TABLE t",
                "SELECT pg_create_logical_replication_slot('kill_slot', 'pgoutput')");
        // the backlog: two thirds in transactions of 1000 rows, one third in single-row transactions
        for (int from = 1; from <= 40_000; from += 1000) {
            db.execute(
                    "INSERT INTO t SELECT g, 'row ' || g FROM generate_series(" + from + ", " + (from + 999) + ") g");
        }
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
            for (int id = 40_001; id <= ROWS; id++) {
                ps.setInt(1, id);
                ps.setString(2, "row " + id);
                ps.executeUpdate();
            }
        }
        Path config = CliProcess.sourceYaml(
                tmp.resolve("source.yaml"),
                db,
                "kill-test",
                db.user(),
                db.password(),
                "kill_slot",
                "kill_pub",
                List.of("t"));
        Path offsets = tmp.resolve("state/kill.offsets");
        List<Path> outputs = new ArrayList<>();
        for (long killAt : new long[] {12_000, 30_000}) {
            CliProcess p = CliProcess.stream(tmp, config, offsets.toString());
            long seen = linesBefore(outputs);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (seen + newlines(p.outFile()) < killAt && p.process().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            p.process().destroyForcibly(); // SIGKILL, mid-backlog
            p.process().waitFor();
            outputs.add(p.outFile());
            assertThat(newlines(p.outFile())).as(p.stderr()).isPositive();
        }
        CliProcess last = CliProcess.stream(tmp, config, offsets.toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (distinctIds(outputs, last.outFile()) < ROWS && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(500); // nothing more may come
        assertThat(last.stop()).isEqualTo(143);
        outputs.add(last.outFile());

        List<Integer> ids = new ArrayList<>(); // every line of every run, in order
        List<String> lines = new ArrayList<>();
        List<Integer> runStarts = new ArrayList<>();
        int torn = 0;
        for (int run = 0; run < outputs.size(); run++) {
            runStarts.add(ids.size());
            String text = Files.readString(outputs.get(run), StandardCharsets.UTF_8);
            String[] split = text.split("\n", -1);
            for (int i = 0; i < split.length; i++) {
                String line = split[i];
                if (line.isEmpty()) {
                    continue;
                }
                if (i == split.length - 1) { // no newline: torn by the kill
                    assertThat(run)
                            .as("only a killed run may end in a partial line")
                            .isLessThan(outputs.size() - 1);
                    torn++;
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                assertThat(n.path("type").asText()).isEqualTo("Insert");
                String id =
                        n.path("element").path("metadata").path("element_id").asText();
                ids.add(Integer.parseInt(id.substring("public:t:".length())));
                lines.add(line);
            }
        }
        // each run starts by replaying the tail of what came before (the unacknowledged batches), line for line,
        // then continues with the next row: no gap, no reordering
        int replayed = 0;
        for (int run = 1; run < runStarts.size(); run++) {
            int start = runStarts.get(run);
            int first = ids.get(start);
            int previousEnd = ids.get(start - 1);
            assertThat(first)
                    .as("run %d starts at or before the row after the previous run's last", run)
                    .isLessThanOrEqualTo(previousEnd + 1);
            int back = previousEnd - first + 1; // rows replayed
            assertThat(back).as("replay bounded by the batches in flight").isLessThanOrEqualTo(3 * MAX_BATCH);
            for (int k = 0; k < back; k++) {
                assertThat(lines.get(start + k)).isEqualTo(lines.get(start - back + k));
            }
            replayed += back;
        }
        List<Integer> once = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int id : ids) {
            if (seen.add(id)) {
                once.add(id);
            }
        }
        assertThat(once).as("every row once, in commit order").hasSize(ROWS);
        for (int i = 0; i < ROWS; i++) {
            assertThat(once.get(i)).isEqualTo(i + 1);
        }
        assertThat(ids).hasSize(ROWS + replayed);
        System.out.printf(
                "CLI kill -9 mid-backlog x2: %,d lines for %,d rows, %,d replayed after the kills, %d torn"
                        + " lines completed by the restart%n",
                ids.size(), ROWS, replayed, torn);
    }

    private static long linesBefore(List<Path> outputs) throws Exception {
        long n = 0;
        for (Path p : outputs) {
            n += newlines(p);
        }
        return n;
    }

    private static long newlines(Path file) throws Exception {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] b = Files.readAllBytes(file);
        long n = 0;
        for (byte x : b) {
            if (x == '\n') {
                n++;
            }
        }
        return n;
    }

    private static int distinctIds(List<Path> earlier, Path current) throws Exception {
        Set<String> ids = new HashSet<>();
        List<Path> all = new ArrayList<>(earlier);
        all.add(current);
        for (Path p : all) {
            for (String line : Files.readString(p, StandardCharsets.UTF_8).split("\n")) {
                int i = line.indexOf("\"element_id\":\"");
                if (i >= 0 && line.endsWith("}")) {
                    ids.add(line.substring(i + 14, line.indexOf('"', i + 14)));
                }
            }
        }
        return ids.size();
    }
}

package io.drasi.source.postgres.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real PostgreSQL stream through {@link PostgresChangeMonitor} into the SDK's publisher and state store
 * (in-memory implementations of the SDK's interfaces) produces the exact platform wire JSON.
 */
@ExtendWith(PostgresExtension.class)
class PlatformStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GOLDEN = "golden/platform-stream.jsonl";

    @Test
    void stream_insertUpdateDeleteInterleavedTruncate_exactPlatformWireJsonAndIncreasingSequence(PostgresServer pg)
            throws Exception {
        PostgresServer db = pg.newDatabase("plat_stream");
        db.execute(
                "CREATE TABLE items (id int PRIMARY KEY, name text, price double precision, qty bigint,"
                        + " active boolean, tags text[], meta jsonb, added date, amount numeric(12,3))",
                "CREATE TABLE other (k text PRIMARY KEY, v int)");
        RecordingPublisher publisher = new RecordingPublisher();
        MemoryStateStore store = new MemoryStateStore();
        long walBefore =
                Lsn.parse(db.queryValue("select pg_current_wal_lsn()::text")).asLong();
        long before = System.currentTimeMillis();
        try (MonitorRun run = new MonitorRun(
                new PostgresChangeMonitor(Platform.SOURCE_ID, Platform.config(db, "items, public.other")),
                publisher,
                store)) {
            db.execute(
                    "INSERT INTO items VALUES (1, 'Widget', 9.5, 3, true, '{a,b}', '{\"k\": [1, 2.5]}',"
                            + " '2024-02-29', 12.345)",
                    "INSERT INTO items (id, name) VALUES (2, 'Gadget ü \"quoted\"')",
                    "UPDATE items SET qty = 4, price = 10 WHERE id = 1",
                    "DELETE FROM items WHERE id = 2");
            // Interleaved transactions: 10 writes first but commits last, so its LSN is below 11's.
            try (Connection a = db.connect();
                    Connection b = db.connect();
                    Statement sa = a.createStatement();
                    Statement sb = b.createStatement()) {
                a.setAutoCommit(false);
                b.setAutoCommit(false);
                sa.execute("INSERT INTO items (id, name) VALUES (10, 'first written')");
                sb.execute("INSERT INTO items (id, name) VALUES (11, 'first committed')");
                b.commit();
                a.commit();
            }
            db.execute("TRUNCATE other", "INSERT INTO other VALUES ('x', 1)");
            List<String> published = publisher.await(7, WAIT);
            long after = System.currentTimeMillis();
            long walAfter = Lsn.parse(db.queryValue("select pg_current_wal_lsn()::text"))
                    .asLong();
            Thread.sleep(300); // nothing else (the TRUNCATE is skipped)
            assertThat(publisher.published()).hasSize(7);
            assertThat(run.monitor.skipped()).isEqualTo(1);

            List<Long> seqs = new ArrayList<>();
            List<String> normalized = new ArrayList<>();
            for (String line : published) {
                ObjectNode o = (ObjectNode) JSON.readTree(line);
                long start = o.get("reactivatorStart_ns").asLong();
                long end = o.get("reactivatorEnd_ns").asLong();
                assertThat(start).isBetween(before * 1_000_000L, after * 1_000_000L + 1_000_000_000L);
                assertThat(end).isGreaterThanOrEqualTo(start);
                ObjectNode source = (ObjectNode) o.get("payload").get("source");
                long ts = source.get("ts_ns").asLong();
                assertThat(ts % 1_000_000L).as("effective_from ms x 1e6").isZero();
                assertThat(ts).isBetween((before - 1000) * 1_000_000L, (after + 1000) * 1_000_000L);
                long seq = source.get("lsn").asLong();
                assertThat(seq).isGreaterThan(walBefore).isLessThanOrEqualTo(walAfter);
                seqs.add(seq);
                o.put("reactivatorStart_ns", 0L);
                o.put("reactivatorEnd_ns", 0L);
                source.put("lsn", 0L);
                source.put("ts_ns", 0L);
                normalized.add(JSON.writeValueAsString(o));
            }
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            // 11 committed first; 10's LSN is lower, so its sequenceNumber is bumped to 11's + 1.
            assertThat(seqs.get(5)).isEqualTo(seqs.get(4) + 1);
            assertGolden(normalized);

            Checkpoint cp = Checkpoint.fromBytes(store.get(Checkpoint.KEY)).orElseThrow();
            assertThat(cp.sequenceNumber()).isEqualTo(seqs.get(6));
            assertThat(cp.slot()).isEqualTo(db.database());
        }
    }

    private static void assertGolden(List<String> normalized) throws Exception {
        Path file = Path.of("src/test/resources", GOLDEN); // surefire runs in the module directory
        String actual = String.join("\n", normalized) + "\n";
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(file)
                .as("golden file %s (create it with -Dgolden.update=true)", file)
                .exists();
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
        for (String line : normalized) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.get("payload").get("source").get("db").asText()).isEqualTo(Platform.SOURCE_ID);
            assertThat(n.get("payload").get("source").get("table").asText()).isEqualTo("node");
        }
    }
}

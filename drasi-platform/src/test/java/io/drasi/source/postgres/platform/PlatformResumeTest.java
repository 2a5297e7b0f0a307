package io.drasi.source.postgres.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A restarted reactivator resumes from the SDK's state store: nothing lost, nothing repeated. */
@ExtendWith(PostgresExtension.class)
class PlatformResumeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void crashMidBatch_restartWithSameStateStore_skipsRedeliveredChangesAndContinuesSequence(PostgresServer pg)
            throws Exception {
        Setup setup = Setup.of(pg, "plat_crash", "id int PRIMARY KEY, v text");
        PostgresServer db = setup.db();
        MemoryStateStore store = setup.store();
        var config = setup.config();
        // Run 1: one transaction of 5 rows; the publisher goes down at row 4, after rows 1-3 were published
        // and checkpointed but before the batch was acknowledged to the slot.
        RecordingPublisher first = new RecordingPublisher(json -> json.contains("\"public:t:4\""));
        try (MonitorRun run = new MonitorRun(new PostgresChangeMonitor(Platform.SOURCE_ID, config), first, store)) {
            db.execute("INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 5) g");
            assertThat(run.awaitFailure()).hasMessageContaining("publisher down");
        }
        assertThat(ids(first.published())).containsExactly("public:t:1", "public:t:2", "public:t:3");
        long lastSeqRun1 =
                Checkpoint.fromBytes(store.get(Checkpoint.KEY)).orElseThrow().sequenceNumber();

        // Written while the reactivator is down.
        db.execute("UPDATE t SET v = 'changed' WHERE id = 1");

        // Run 2: same state store (never wiped at start); the slot redelivers the whole transaction.
        RecordingPublisher second = new RecordingPublisher();
        PostgresChangeMonitor monitor2 = new PostgresChangeMonitor(Platform.SOURCE_ID, config);
        try (MonitorRun run = new MonitorRun(monitor2, second, store)) {
            List<String> published = second.await(3, WAIT);
            Thread.sleep(500);
            assertThat(ids(second.published())).containsExactly("public:t:4", "public:t:5", "public:t:1");
            assertThat(ops(published)).containsExactly("i", "i", "u");
            assertThat(monitor2.skipped())
                    .as("rows 1-3 redelivered and skipped")
                    .isEqualTo(3);
            List<Long> all = new ArrayList<>(seqs(first.published()));
            all.addAll(seqs(published));
            assertThat(all).isSorted().doesNotHaveDuplicates();
            assertThat(seqs(published).get(0)).isGreaterThan(lastSeqRun1);
        }

        // Run 3: a clean stop and restart delivers only what is new.
        db.execute("DELETE FROM t WHERE id = 2");
        RecordingPublisher third = new RecordingPublisher();
        try (MonitorRun run = new MonitorRun(new PostgresChangeMonitor(Platform.SOURCE_ID, config), third, store)) {
            db.execute("INSERT INTO t VALUES (6, 'six')");
            third.await(2, WAIT);
            Thread.sleep(500);
            assertThat(ids(third.published())).containsExactly("public:t:2", "public:t:6");
            assertThat(ops(third.published())).containsExactly("d", "i");
            assertThat(seqs(third.published()).get(0))
                    .isGreaterThan(seqs(second.published()).get(2));
        }
    }

    @Test
    void slotDroppedWhileDown_storedPositionIgnored_sequenceStillIncreases(PostgresServer pg) throws Exception {
        Setup setup = Setup.of(pg, "plat_newslot", "id int PRIMARY KEY");
        long seq1 = seqs(setup.runUntilPublished("INSERT INTO t VALUES (1)", 1)).get(0);
        setup.db().dropSlotIfExists(setup.config().slotName());
        List<String> second = setup.runUntilPublished("INSERT INTO t VALUES (2)", 1);
        assertThat(ids(second)).containsExactly("public:t:2");
        assertThat(seqs(second).get(0)).isGreaterThan(seq1);
    }

    @Test
    void deprovision_deletesCheckpointAndDropsSlot(PostgresServer pg) throws Exception {
        Setup setup = Setup.of(pg, "plat_deprov", "id int PRIMARY KEY");
        PostgresServer db = setup.db();
        MemoryStateStore store = setup.store();
        var config = setup.config();
        setup.runUntilPublished("INSERT INTO t VALUES (1)", 1);
        assertThat(store.get(Checkpoint.KEY)).isNotNull();
        Main.deprovision(Platform.SOURCE_ID, config, store);
        assertThat(store.get(Checkpoint.KEY)).isNull();
        assertThat(db.replicationSlots()).noneMatch(s -> s.slotName().equals(config.slotName()));
        assertThat(db.queryValue(
                        "select count(*) from pg_publication where pubname = '" + config.publicationName() + "'"))
                .isEqualTo("0");
    }

    /** A new test database with a table {@code t}, the platform's config for it and an empty state store. */
    private record Setup(PostgresServer db, PostgresSourceConfig config, MemoryStateStore store) {

        static Setup of(PostgresServer pg, String database, String columnsOfT) {
            PostgresServer db = pg.newDatabase(database);
            db.execute("CREATE TABLE t (" + columnsOfT + ")");
            return new Setup(db, Platform.config(db, "t"), new MemoryStateStore());
        }

        /**
         * Runs a monitor on the state store, executes {@code sql} while it streams, and stops it once {@code n}
         * changes were published.
         *
         * @return the JSON of what was published
         */
        List<String> runUntilPublished(String sql, int n) throws Exception {
            RecordingPublisher publisher = new RecordingPublisher();
            try (MonitorRun run =
                    new MonitorRun(new PostgresChangeMonitor(Platform.SOURCE_ID, config), publisher, store)) {
                db.execute(sql);
                publisher.await(n, WAIT);
            }
            return publisher.published();
        }
    }

    private static List<String> ids(List<String> published) throws Exception {
        List<String> out = new ArrayList<>();
        for (String s : published) {
            JsonNode p = JSON.readTree(s).get("payload");
            out.add((p.has("after") ? p.get("after") : p.get("before"))
                    .get("id")
                    .asText());
        }
        return out;
    }

    private static List<String> ops(List<String> published) throws Exception {
        List<String> out = new ArrayList<>();
        for (String s : published) {
            out.add(JSON.readTree(s).get("op").asText());
        }
        return out;
    }

    private static List<Long> seqs(List<String> published) throws Exception {
        List<Long> out = new ArrayList<>();
        for (String s : published) {
            out.add(JSON.readTree(s).get("payload").get("source").get("lsn").asLong());
        }
        return out;
    }
}

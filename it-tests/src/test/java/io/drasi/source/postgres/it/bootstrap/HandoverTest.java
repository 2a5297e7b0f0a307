package io.drasi.source.postgres.it.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.bootstrap.BootstrapProvider;
import io.drasi.source.postgres.bootstrap.BootstrapResult;
import io.drasi.source.postgres.bootstrap.HandoverFilter;
import io.drasi.source.postgres.bootstrap.SnapshotSlot;
import io.drasi.source.postgres.model.TableId;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exact hand-over (contract §5): bootstrap rows + the slot's stream reproduce the table's final state,
 * with a writer doing inserts/updates/deletes in multi-statement transactions throughout. The stream
 * is read with pgoutput through SQL (a stand-in for Debezium); the rules applied are strict: an
 * Insert of a present id, or an Update/Delete of an absent one, fails the test.
 */
// pg-matrix: `./mvnw verify` also runs these against PostgreSQL 18 (it-tests/pom.xml, execution pg-matrix)
@Tag("pg-matrix")
@ExtendWith(PostgresExtension.class)
class HandoverTest {

    private static final TableId T = TableId.of("public", "t");

    @Test
    void firstStart_permanentSlot_bootstrapPlusStreamEqualsFinalTable(PostgresServer pg) throws Exception {
        PostgresServer db = prepare(pg, "bs_first");
        String slotName = Bootstraps.slotName("bs_first");
        BootstrapProvider provider = Bootstraps.provider(db, T).build();
        try (Writer writer = Writer.started(db)) {
            writer.awaitCommits(50);
            Bootstraps.Collector rows = new Bootstraps.Collector();
            BootstrapResult result;
            try (SnapshotSlot slot = SnapshotSlot.createPermanent(Bootstraps.settings(db), slotName)) {
                long before = writer.commits.get();
                writer.awaitCommits(before + 30); // commits after the consistent point, before the read
                result = provider.bootstrap(slot, Set.of(), rows);
            }
            writer.awaitCommits(writer.commits.get() + 50);
            writer.stop();

            assertThat(db.replicationSlots()).anySatisfy(s -> {
                assertThat(s.slotName()).isEqualTo(slotName);
                assertThat(s.temporary()).isFalse();
                assertThat(s.active()).isFalse();
            });
            List<PgOutputChanges.Tx> stream = PgOutputChanges.consume(db, slotName, "pub");
            assertThat(stream)
                    .isNotEmpty()
                    .allSatisfy(tx -> assertThat(tx.commitEndLsn().isAfter(result.consistentPoint()))
                            .isTrue());
            Map<String, Map<String, String>> state = byId(rows);
            assertThat(state).hasSize((int) result.totalRows());
            for (PgOutputChanges.Tx tx : stream) {
                apply(state, tx);
            }
            assertThat(state).isEqualTo(finalTable(db));
        } finally {
            db.dropSlotIfExists(slotName);
        }
    }

    @Test
    void laterBootstrap_temporarySlot_filteredStreamPlusBootstrapEqualsFinalTable(PostgresServer pg) throws Exception {
        PostgresServer db = prepare(pg, "bs_later");
        String streamSlot = Bootstraps.slotName("bs_stream");
        db.execute("SELECT pg_create_logical_replication_slot('" + streamSlot + "', 'pgoutput')");
        BootstrapProvider provider = Bootstraps.provider(db, T).build();
        try (Writer writer = Writer.started(db)) {
            writer.awaitCommits(80);
            Bootstraps.Collector rows = new Bootstraps.Collector();
            BootstrapResult result = provider.bootstrapWithTemporarySlot(Set.of("t"), rows);
            assertThat(result.temporarySlot()).isTrue();
            long deadline = System.currentTimeMillis() + 10_000;
            while (SnapshotSlotTest.slotsOf(db).size() > 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20); // the temporary slot goes when its walsender exits
            }
            assertThat(SnapshotSlotTest.slotsOf(db))
                    .extracting(PostgresServer.SlotInfo::slotName)
                    .containsExactly(streamSlot);
            writer.awaitCommits(writer.commits.get() + 50);
            writer.stop();

            HandoverFilter filter = result.handoverFilter();
            Map<String, Map<String, String>> state = byId(rows);
            int dropped = 0;
            int kept = 0;
            for (PgOutputChanges.Tx tx : PgOutputChanges.consume(db, streamSlot, "pub")) {
                // BEGIN's final_lsn (commit start) agrees with the commit end LSN about the point
                assertThat(tx.finalLsn().compareTo(result.consistentPoint()) >= 0)
                        .isEqualTo(filter.belongsAfterSnapshot(tx.commitEndLsn()));
                if (filter.belongsAfterSnapshot(tx.commitEndLsn())) {
                    apply(state, tx);
                    kept++;
                } else {
                    dropped++;
                }
            }
            assertThat(dropped).as("transactions already in the snapshot").isPositive();
            assertThat(kept).as("transactions after the snapshot").isPositive();
            assertThat(state).isEqualTo(finalTable(db));
        } finally {
            db.dropSlotIfExists(streamSlot);
        }
    }

    @Test
    void insertCommittedAfterSlotCreation_isNotInSnapshot_butIsInStream(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("bs_after", """
                CREATE TABLE t (id int PRIMARY KEY, note text);
                INSERT INTO t VALUES (1, 'before');
                CREATE PUBLICATION pub FOR TABLE t;
                """);
        String slotName = Bootstraps.slotName("bs_after");
        try {
            Bootstraps.Collector rows = new Bootstraps.Collector();
            try (SnapshotSlot slot = SnapshotSlot.createPermanent(Bootstraps.settings(db), slotName)) {
                assertThat(slot.snapshotName()).isNotBlank();
                assertThat(slot.consistentPoint().isValid()).isTrue();
                assertThat(slot.createdAtMs())
                        .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
                db.execute("INSERT INTO t VALUES (2, 'after')", "UPDATE t SET note = 'changed' WHERE id = 1");
                BootstrapResult r = Bootstraps.provider(db, T).build().bootstrap(slot, Set.of(), rows);
                assertThat(r.consistentPoint()).isEqualTo(slot.consistentPoint());
                assertThat(r.effectiveFromMs()).isEqualTo(slot.createdAtMs());
            }
            assertThat(rows.rows()).containsExactly(Map.entry("public:t:1", Map.of("id", "1", "note", "before")));
            assertThat(rows.inserts.get(0).element().metadata().labels()).containsExactly("t");
            assertThat(rows.inserts.get(0).element().metadata().sourceId()).isEqualTo("pg-source");
            List<PgOutputChanges.Tx> stream = PgOutputChanges.consume(db, slotName, "pub");
            assertThat(stream)
                    .flatExtracting(PgOutputChanges.Tx::changes)
                    .extracting(c -> c.op() + " " + c.values())
                    .containsExactly("INSERT {id=2, note=after}", "UPDATE {id=1, note=changed}");
        } finally {
            db.dropSlotIfExists(slotName);
        }
    }

    private static PostgresServer prepare(PostgresServer pg, String name) {
        return pg.newDatabase(name, """
                CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, note text);
                INSERT INTO t SELECT g, g, 'row ' || g FROM generate_series(1, 2000) g;
                CREATE PUBLICATION pub FOR TABLE t;
                """);
    }

    private static Map<String, Map<String, String>> byId(Bootstraps.Collector rows) {
        return new HashMap<>(rows.rows());
    }

    private static void apply(Map<String, Map<String, String>> state, PgOutputChanges.Tx tx) {
        for (PgOutputChanges.Change c : tx.changes()) {
            String id = "public:t:" + c.values().get("id");
            switch (c.op()) {
                case INSERT ->
                    assertThat(state.put(id, c.values()))
                            .as("duplicate insert of %s in tx %s", id, tx.xid())
                            .isNull();
                case UPDATE ->
                    assertThat(state.put(id, c.values()))
                            .as("update of missing %s in tx %s", id, tx.xid())
                            .isNotNull();
                case DELETE ->
                    assertThat(state.remove(id))
                            .as("delete of missing %s in tx %s", id, tx.xid())
                            .isNotNull();
            }
        }
    }

    private static Map<String, Map<String, String>> finalTable(PostgresServer db) {
        Map<String, Map<String, String>> m = new HashMap<>();
        for (Map<String, Object> r : db.query("SELECT id::text AS id, v::text AS v, note FROM t")) {
            Map<String, String> row = new LinkedHashMap<>();
            r.forEach((k, v) -> row.put(k, (String) v));
            m.put("public:t:" + r.get("id"), row);
        }
        return m;
    }

    /** Random inserts/updates/deletes in 1..4-statement transactions, with pauses inside them; close() stops it. */
    static final class Writer implements AutoCloseable {
        private final PostgresServer db;
        private final AtomicBoolean running = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong commits = new AtomicLong();
        private Thread thread;

        private Writer(PostgresServer db) {
            this.db = db;
        }

        /** @return a writer writing to table {@code t} of {@code db} */
        static Writer started(PostgresServer db) {
            Writer writer = new Writer(db);
            writer.running.set(true);
            writer.thread = new Thread(writer::run, "bootstrap-test-writer");
            writer.thread.start();
            return writer;
        }

        private void run() {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            try (Connection c = db.connect();
                    PreparedStatement ins =
                            c.prepareStatement("INSERT INTO t VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE"
                                    + " SET v = excluded.v, note = excluded.note");
                    PreparedStatement upd = c.prepareStatement("UPDATE t SET v = v + 1, note = ? WHERE id = ?");
                    PreparedStatement del = c.prepareStatement("DELETE FROM t WHERE id = ?")) {
                c.setAutoCommit(false);
                while (running.get()) {
                    int statements = 1 + rnd.nextInt(4);
                    for (int s = 0; s < statements; s++) {
                        int id = 1 + rnd.nextInt(3000);
                        switch (rnd.nextInt(3)) {
                            case 0 -> {
                                ins.setInt(1, id);
                                ins.setInt(2, rnd.nextInt());
                                ins.setString(3, rnd.nextBoolean() ? null : "w" + rnd.nextInt(1000));
                                ins.executeUpdate();
                            }
                            case 1 -> {
                                upd.setString(1, "u" + rnd.nextInt(1000));
                                upd.setInt(2, id);
                                upd.executeUpdate();
                            }
                            default -> {
                                del.setInt(1, id);
                                del.executeUpdate();
                            }
                        }
                        if (rnd.nextInt(3) == 0) {
                            Thread.sleep(1);
                        }
                    }
                    c.commit();
                    commits.incrementAndGet();
                }
            } catch (SQLException | RuntimeException e) {
                failure.set(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitCommits(long n) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 30_000;
            while (commits.get() < n && failure.get() == null && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertThat(failure.get()).as("writer failure").isNull();
            assertThat(commits.get()).as("writer commits").isGreaterThanOrEqualTo(n);
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join(30_000);
            }
            assertThat(failure.get()).as("writer failure").isNull();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}

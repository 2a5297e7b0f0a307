package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.WAIT;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.running;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of every transaction as the sink sees it ({@link ChangeSink#onCommit}), now that the engine's task queues
 * one END record after each COMMIT instead of Debezium's transaction metadata (issue 19): once per transaction, after
 * its changes, with its xid and a commit LSN after its changes and not after the server's position at commit; none
 * again after a restart; and the position it acknowledges reaches the replication slot (no heartbeat needed).
 */
@ExtendWith(PostgresExtension.class)
class CommitMarkersTest {

    /** Changes and commits in arrival order. Thread-safe. */
    private static final class Recording implements ChangeSink {
        /** A change (commitLsn null) or a commit (change position only: txId). */
        record Event(long txId, Lsn changeLsn, Lsn commitLsn) {}

        private final List<Event> events = new ArrayList<>();

        @Override
        public synchronized void accept(List<PositionedChange> batch) {
            batch.forEach(
                    c -> events.add(new Event(c.position().txId(), c.position().lsn(), null)));
        }

        @Override
        public synchronized void onCommit(long txId, Lsn commitEndLsn) {
            events.add(new Event(txId, null, commitEndLsn));
        }

        synchronized List<Event> events() {
            return List.copyOf(events);
        }

        synchronized long commits() {
            return events.stream().filter(e -> e.commitLsn() != null).count();
        }

        void awaitCommits(long n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (commits() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(commits()).as("commits seen").isGreaterThanOrEqualTo(n);
        }
    }

    /** What PostgreSQL says of one committed transaction. */
    private record Committed(long xid, Lsn walAfterCommit) {}

    /** Runs {@code sql} in one transaction; returns its xid and the WAL insert position right after the commit. */
    private static Committed transaction(PostgresServer db, String... sql) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String q : sql) {
                s.execute(q);
            }
            long xid;
            try (ResultSet r = s.executeQuery("SELECT txid_current() % 4294967296")) {
                r.next();
                xid = r.getLong(1);
            }
            c.commit();
            c.setAutoCommit(true);
            try (ResultSet r = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                r.next();
                return new Committed(xid, Lsn.parse(r.getString(1)));
            }
        }
    }

    @Test
    void onCommit_eachTransaction_onceAfterItsChangesWithItsXidAndCommitLsn(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("markers");
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "CREATE TABLE u (id int PRIMARY KEY)");
        Recording sink = new Recording();
        List<Committed> committed = new ArrayList<>();
        try (PostgresReplicationSource source = running("markers", config(db, "s_markers", "t", "u"), sink, WAIT)) {
            committed.add(transaction(db, "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')"));
            committed.add(transaction(db, "UPDATE t SET v = 'x' WHERE id = 2"));
            committed.add(transaction(db, "INSERT INTO u VALUES (1)", "DELETE FROM t WHERE id = 1"));
            committed.add(transaction(db, "INSERT INTO t SELECT g, 'bulk' FROM generate_series(10, 5009) g"));
            sink.awaitCommits(committed.size());
            Thread.sleep(300); // nothing more may follow
            assertThat(source.stats().transactions()).isEqualTo(committed.size());
        }

        List<Recording.Event> events = sink.events();
        assertThat(sink.commits()).as("one commit per transaction").isEqualTo(committed.size());
        // a batch's changes are accepted before the commits of the transactions it completed are acknowledged
        int[] changesPerTx = {3, 1, 2, 5000};
        Lsn previousCommit = Lsn.INVALID;
        for (int tx = 0; tx < committed.size(); tx++) {
            Committed c = committed.get(tx);
            int commitAt = -1;
            int changes = 0;
            Lsn lastChange = Lsn.INVALID;
            for (int i = 0; i < events.size(); i++) {
                Recording.Event e = events.get(i);
                if (e.txId() != c.xid()) {
                    continue;
                }
                if (e.commitLsn() == null) {
                    assertThat(commitAt)
                            .as("transaction %d: no change after its commit", tx)
                            .isEqualTo(-1);
                    changes++;
                    lastChange = e.changeLsn();
                } else {
                    assertThat(commitAt).as("transaction %d: one commit", tx).isEqualTo(-1);
                    commitAt = i;
                }
            }
            assertThat(changes).as("transaction %d's changes carry its xid", tx).isEqualTo(changesPerTx[tx]);
            assertThat(commitAt).as("transaction %d's commit names its xid", tx).isNotEqualTo(-1);
            Lsn commitLsn = events.get(commitAt).commitLsn();
            assertThat(commitLsn.compareTo(lastChange))
                    .as("commit after the changes")
                    .isPositive();
            assertThat(commitLsn.compareTo(c.walAfterCommit()))
                    .as("commit LSN not after the server's position at commit")
                    .isLessThanOrEqualTo(0);
            assertThat(commitLsn.compareTo(previousCommit))
                    .as("commits in order")
                    .isPositive();
            previousCommit = commitLsn;
        }
    }

    @Test
    void onCommit_afterARestart_onlyNewTransactions_andTheSlotConfirmsTheLastCommit(
            PostgresServer pg, @TempDir Path dir) throws Exception {
        PostgresServer db = pg.newDatabase("markers_restart");
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        PostgresSourceBuilder cfg = config(db, "s_markers_restart", "t")
                .withOffsetStore(dir.resolve("pg.offsets"))
                .withHeartbeatInterval(Duration.ZERO); // only the END records move the slot
        Recording first = new Recording();
        Committed last;
        try (PostgresReplicationSource source = running("markers-r", cfg, first, WAIT)) {
            transaction(db, "INSERT INTO t VALUES (1, 'a')");
            transaction(db, "INSERT INTO t VALUES (2, 'b'), (3, 'c')");
            last = transaction(db, "UPDATE t SET v = 'z' WHERE id = 3");
            first.awaitCommits(3);
            Lsn lastCommit = first.events().get(first.events().size() - 1).commitLsn();
            long deadline = System.nanoTime() + WAIT.toNanos();
            Lsn confirmed = Lsn.INVALID;
            while (System.nanoTime() < deadline) {
                confirmed = Lsn.parse(db.replicationSlots().stream()
                        .filter(s -> s.slotName().equals("s_markers_restart"))
                        .findFirst()
                        .orElseThrow()
                        .confirmedFlushLsn());
                if (confirmed.compareTo(lastCommit) >= 0) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(confirmed.compareTo(lastCommit))
                    .as("slot confirmed %s, last commit %s", confirmed, lastCommit)
                    .isGreaterThanOrEqualTo(0);
        }
        assertThat(first.commits()).isEqualTo(3);

        Recording second = new Recording();
        try (PostgresReplicationSource source = running("markers-r", cfg, second, WAIT)) {
            Committed next = transaction(db, "DELETE FROM t WHERE id = 1");
            second.awaitCommits(1);
            Thread.sleep(500); // a replayed commit would arrive now at the latest
            assertThat(second.events())
                    .as("only the new transaction: its change, then its commit")
                    .hasSize(2);
            assertThat(second.events().get(0).txId()).isEqualTo(next.xid());
            assertThat(second.events().get(1).txId()).isEqualTo(next.xid());
            assertThat(next.xid()).isNotEqualTo(last.xid());
        }
    }
}

package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.WAIT;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.assertKindsAndIds;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.node;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.prop;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.running;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.streamed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.ConnectionFailedException;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

// pg-matrix: `./mvnw verify` also runs these against PostgreSQL 18 (it-tests/pom.xml, execution pg-matrix)
@Tag("pg-matrix")
@ExtendWith(PostgresExtension.class)
class StreamingBasicsTest {

    @Test
    void start_insertUpdateDelete_deliversDrasiChangesWithIdsLabelsAndCommitTime(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase(
                "stream_basic", "CREATE TABLE users (id serial PRIMARY KEY, name varchar(100), email text, age int)");
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = running("pg-source", config(db, "s_basic", "users"), sink, WAIT)) {
            long before = System.currentTimeMillis();
            db.execute(
                    "INSERT INTO users (name, email, age) VALUES ('Alice', 'alice@example.com', 30)",
                    "UPDATE users SET age = 31 WHERE id = 1",
                    "DELETE FROM users WHERE id = 1");
            long after = System.currentTimeMillis();
            List<SourceChange> changes = sink.await(3, WAIT);
            assertThat(changes).extracting(StreamingTestSupport::kind).containsExactly("Insert", "Update", "Delete");
            assertThat(changes).extracting(StreamingTestSupport::id).containsOnly("public:users:1");
            SourceChange insert = changes.get(0);
            assertThat(node(insert).metadata().labels()).containsExactly("users");
            assertThat(node(insert).metadata().sourceId()).isEqualTo("pg-source");
            assertThat(node(insert).properties())
                    .containsEntry("id", new ElementValue.IntValue(1))
                    .containsEntry("name", new ElementValue.StringValue("Alice"))
                    .containsEntry("email", new ElementValue.StringValue("alice@example.com"))
                    .containsEntry("age", new ElementValue.IntValue(30));
            assertThat(prop(changes.get(1), "age")).isEqualTo(new ElementValue.IntValue(31));
            // effective_from is the commit time in milliseconds
            assertThat(changes).allSatisfy(c -> assertThat(c.effectiveFromMs()).isBetween(before - 1000, after + 1000));
            long statsDeadline = System.nanoTime() + WAIT.toNanos(); // counted right after the sink returns
            while (source.stats().changes() < 3 && System.nanoTime() < statsDeadline) {
                Thread.sleep(10);
            }
            assertThat(source.stats().changes()).isEqualTo(3);
            assertThat(source.stats().transactions()).isGreaterThanOrEqualTo(3);
            List<PositionedChange> positioned = sink.positioned();
            for (int i = 1; i < positioned.size(); i++) {
                assertThat(positioned.get(i).position())
                        .isGreaterThan(positioned.get(i - 1).position());
            }
        }
    }

    @Test
    void start_multiRowTransactionsAndCompositeKeys_completeInCommitOrder(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("stream_tx");
        db.execute(
                "CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2))",
                "CREATE TABLE order_items (order_id int, line int, sku text, PRIMARY KEY (order_id, line))");
        RecordingSink sink = streamed(config(db, "s_tx", "orders", "public.order_items"), 6, () -> {
            db.executeInTransaction(
                    "INSERT INTO orders VALUES (1001, 9.50)",
                    "INSERT INTO order_items VALUES (1001, 1, 'a'), (1001, 2, 'b'), (1001, 3, 'c')");
            db.executeInTransaction(
                    "UPDATE order_items SET sku = 'z' WHERE order_id = 1001 AND line = 3",
                    "DELETE FROM order_items WHERE order_id = 1001 AND line = 1");
        });
        List<SourceChange> changes = sink.changes();
        assertKindsAndIds(
                changes,
                "Insert public:orders:1001",
                "Insert public:order_items:1001:1",
                "Insert public:order_items:1001:2",
                "Insert public:order_items:1001:3",
                "Update public:order_items:1001:3",
                "Delete public:order_items:1001:1");
        assertThat(prop(changes.get(0), "total")).isEqualTo(new ElementValue.FloatValue(9.5));
    }

    @Test
    void start_keyChangeAndTruncate_deleteOldInsertNewThenTruncate(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("stream_key", "CREATE TABLE t (id int PRIMARY KEY, v text)");
        RecordingSink sink = streamed(
                config(db, "s_key", "t"),
                4,
                () -> db.execute("INSERT INTO t VALUES (1, 'a')", "UPDATE t SET id = 2 WHERE id = 1", "TRUNCATE t"));
        List<SourceChange> changes = sink.changes();
        assertKindsAndIds(changes, "Insert public:t:1", "Delete public:t:1", "Insert public:t:2", "Truncate public:t:");
        assertThat(prop(changes.get(2), "v")).isEqualTo(new ElementValue.StringValue("a"));
        List<PositionedChange> p = sink.positioned();
        assertThat(p.get(2).position()).isGreaterThan(p.get(1).position());
    }

    @Test
    void start_configuredKeyOnTableWithoutPk_correlatesUnderReplicaIdentityFull(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("stream_cfgkey");
        db.execute(
                "CREATE TABLE events (code text NOT NULL, region text NOT NULL, n int)",
                "ALTER TABLE events REPLICA IDENTITY FULL");
        RecordingSink sink = streamed(
                config(db, "s_cfgkey", "events").withTableKey("events", "region", "code"),
                3,
                () -> db.execute(
                        "INSERT INTO events VALUES ('x:1', 'eu', 1)", "UPDATE events SET n = 2", "DELETE FROM events"));
        assertKindsAndIds(
                sink.changes(),
                "Insert public:events:eu:x%3A1",
                "Update public:events:eu:x%3A1",
                "Delete public:events:eu:x%3A1");
    }

    @Test
    void start_tableWithoutKey_failsNamingTableAndBothFixes(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("stream_nokey");
        db.execute("CREATE TABLE logs (msg text)", "CREATE TABLE other (id int PRIMARY KEY)");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_nokey", "logs", "other", "missing").build());
        assertThatThrownBy(() -> source.start(new RecordingSink()))
                .isInstanceOf(PreflightException.class)
                .hasMessageContaining("\"public\".\"logs\" has no primary key")
                .hasMessageContaining("table_keys")
                .hasMessageContaining("ADD PRIMARY KEY")
                .hasMessageContaining("\"public\".\"missing\" does not exist");
        assertThat(source.state()).isEqualTo(State.FAILED);
        assertThat(db.replicationSlots()).noneMatch(s -> s.slotName().equals("s_nokey"));
        source.close();
    }

    @Test
    void start_configuredKeyWithDefaultIdentity_failsAskingForReplicaIdentityFull(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("stream_ident", "CREATE TABLE events (code text, n int)");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "src",
                config(db, "s_ident", "events").withTableKey("events", "code").build());
        assertThatThrownBy(() -> source.start(new RecordingSink()))
                .isInstanceOf(PreflightException.class)
                .hasMessageContaining("REPLICA IDENTITY FULL");
    }

    @Test
    void start_wrongPassword_failsWithoutLeakingIt(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("stream_pw", "CREATE TABLE t (id int PRIMARY KEY)");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_pw", "t").withPassword("not-the-Passw0rd").build());
        assertThatThrownBy(() -> source.start(new RecordingSink()))
                .isInstanceOf(ConnectionFailedException.class)
                .hasMessageContaining("password authentication failed for user postgres")
                .hasMessageNotContaining("not-the-Passw0rd");
        assertThat(source.toString()).doesNotContain("not-the-Passw0rd");
    }

    @Test
    void start_missingReplicationPrivilege_failsNamingAlterRole(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("stream_priv");
        db.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "DROP ROLE IF EXISTS norepl",
                "CREATE ROLE norepl LOGIN PASSWORD 'pw'",
                "GRANT SELECT ON t TO norepl");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "src",
                config(db, "s_priv", "t").withUser("norepl").withPassword("pw").build());
        assertThatThrownBy(() -> source.start(new RecordingSink()))
                .isInstanceOf(PreflightException.class)
                .hasMessageContaining("lacks the REPLICATION attribute")
                .hasMessageContaining("ALTER ROLE \"norepl\" REPLICATION");
    }
}

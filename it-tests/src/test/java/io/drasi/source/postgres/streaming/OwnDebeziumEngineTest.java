package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.DrasiChangeConsumer;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A team's own Debezium engine with the Drasi mapping plugged in (README "Your own Debezium engine"): the same
 * changes as from the library's source, including a TOAST re-read, and a clear error for an engine whose properties
 * lack what the mapping needs.
 */
@ExtendWith(PostgresExtension.class)
class OwnDebeziumEngineTest {

    @Test
    void ownEngine_withDrasiChangeConsumer_deliversDrasiChanges(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("own_engine");
        db.execute(
                "CREATE TABLE users (id int PRIMARY KEY, name text, bio text)",
                "ALTER TABLE users ALTER COLUMN bio SET STORAGE EXTERNAL");
        PostgresSourceConfig config = config(db, "s_own_engine", "users").build();
        Properties props = PostgresReplicationSource.debeziumEngineProperties("own", config);
        RecordingSink sink = new RecordingSink();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (DrasiChangeConsumer consumer = new DrasiChangeConsumer("own", config, props, sink);
                DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(
                                ChangeEventFormat.of(Connect.class))
                        .using(props)
                        .notifying(consumer)
                        .build()) {
            executor.execute(engine);
            awaitSlotActive(db, "s_own_engine");
            String bio = "b".repeat(5000);
            db.execute(
                    "INSERT INTO users VALUES (1, 'Alice', '" + bio + "')",
                    "UPDATE users SET name = 'Alicia' WHERE id = 1");
            sink.await(2, Duration.ofSeconds(30)); // the TOAST re-read reads the row as it is: keep it until then
            db.execute("DELETE FROM users WHERE id = 1");
            List<SourceChange> changes = sink.await(3, Duration.ofSeconds(30));
            assertThat(changes).extracting(StreamingTestSupport::kind).containsExactly("Insert", "Update", "Delete");
            assertThat(changes).extracting(StreamingTestSupport::id).containsOnly("public:users:1");
            assertThat(StreamingTestSupport.prop(changes.get(1), "bio"))
                    .as("unchanged TOAST value re-read")
                    .isEqualTo(new ElementValue.StringValue(bio));
            assertThat(consumer.stats().changes()).isGreaterThanOrEqualTo(1);
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (consumer.stats().transactions() < 3 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(consumer.stats().transactions())
                    .as("the three transactions ended (the connector's commit markers)")
                    .isEqualTo(3);
        } finally {
            executor.shutdown();
            assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            db.dropSlotIfExists("s_own_engine");
        }
    }

    @Test
    void ownEngine_plainConsumer_everyChangeRecordItselfAndTheTransactionsEnd(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("own_plain");
        db.execute("CREATE TABLE items (id int PRIMARY KEY)", "CREATE PUBLICATION s_own_plain_pub FOR TABLE items");
        Properties props = PostgresReplicationSource.debeziumEngineProperties(
                "plain", config(db, "s_own_plain", "items").build());
        List<SourceRecord> seen = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(
                        ChangeEventFormat.of(Connect.class))
                .using(props)
                .notifying(e -> seen.add(e.record()))
                .build()) {
            executor.execute(engine);
            awaitSlotActive(db, "s_own_plain");
            db.executeInTransaction("INSERT INTO items SELECT g FROM generate_series(1, 5) g");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.stream().noneMatch(r -> r.topic().equals("plain.transaction"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(seen.stream().filter(r -> r.topic().equals("plain.public.items")))
                    .as("every change reaches a consumer that is not the adapter's as a record of its own")
                    .hasSize(5)
                    .allSatisfy(r -> assertThat(r.value()).isNotNull());
            assertThat(seen.stream().filter(r -> r.topic().equals("plain.transaction")))
                    .as("the transaction ends with one END record")
                    .singleElement()
                    .satisfies(r ->
                            assertThat(((Struct) r.value()).getString("status")).isEqualTo("END"));
        } finally {
            executor.shutdown();
            assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            db.dropSlotIfExists("s_own_plain");
        }
    }

    private static void awaitSlotActive(PostgresServer db, String slot) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"true"
                        .equals(db.queryValue("SELECT coalesce(bool_or(active), false)::text FROM pg_replication_slots"
                                + " WHERE slot_name = " + PostgresServer.quoteLiteral(slot)))
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Test
    void ownEngine_propertiesLackingTheValueContract_refusedNamingEach(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("own_engine_bad");
        db.execute("CREATE TABLE users (id int PRIMARY KEY)");
        Properties props = new Properties();
        props.setProperty("decimal.handling.mode", "precise");
        assertThatThrownBy(() -> new DrasiChangeConsumer(
                        "own", config(db, "s_own_bad", "users").build(), props, batch -> {}))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("`decimal.handling.mode` is `precise`")
                .hasMessageContaining("`converters` is missing")
                .hasMessageContaining("`provide.transaction.metadata` is missing");
    }
}

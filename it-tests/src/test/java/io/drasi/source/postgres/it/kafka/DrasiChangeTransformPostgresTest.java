package io.drasi.source.postgres.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.connector.postgresql.PostgresConnectorTask;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.drasi.source.postgres.kafka.DrasiChangeTransform;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Debezium's real PostgreSQL connector task (no broker, no worker) against the harness's PostgreSQL,
 * its records piped through {@link DrasiChangeTransform}; and the same transform configured as
 * {@code transforms=drasi} in the Debezium embedded engine.
 */
@ExtendWith(PostgresExtension.class)
class DrasiChangeTransformPostgresTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Map<String, String> connectorConfig(PostgresServer db, String name, String slot, String tables) {
        Map<String, String> c = new HashMap<>(PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES);
        c.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        c.put("name", name);
        c.put("topic.prefix", name);
        c.put("database.hostname", db.host());
        c.put("database.port", Integer.toString(db.port()));
        c.put("database.user", db.user());
        c.put("database.password", db.password() == null ? "" : db.password());
        c.put("database.dbname", db.database());
        c.put("plugin.name", "pgoutput");
        c.put("slot.name", slot);
        c.put("slot.drop.on.stop", "true");
        c.put("publication.name", slot + "_pub");
        c.put("publication.autocreate.mode", "filtered");
        c.put("table.include.list", tables);
        c.put("snapshot.mode", "initial");
        c.put("skipped.operations", "none"); // deliver TRUNCATE
        c.put("provide.transaction.metadata", "true");
        c.put("poll.interval.ms", "50");
        return c;
    }

    static SourceTaskContext context(Map<String, String> config) {
        return new SourceTaskContext() {
            @Override
            public Map<String, String> configs() {
                return config;
            }

            @Override
            public OffsetStorageReader offsetStorageReader() {
                return new OffsetStorageReader() {
                    @Override
                    public <T> Map<String, Object> offset(Map<String, T> partition) {
                        return null;
                    }

                    @Override
                    public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                        return Map.of();
                    }
                };
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return null;
            }
        };
    }

    static DrasiChangeTransform<SourceRecord> smt(String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put("source.id", "pg-source");
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(p);
        return t;
    }

    static List<SourceRecord> pollUntil(
            PostgresConnectorTask task, List<SourceRecord> all, Predicate<List<SourceRecord>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.test(all)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out; records so far: " + all.size() + " " + all);
            }
            List<SourceRecord> batch = task.poll();
            if (batch != null) {
                for (SourceRecord r : batch) {
                    all.add(r);
                    task.commitRecord(r, null);
                }
                task.commit();
            }
        }
        return all;
    }

    static String op(SourceRecord r) {
        return r.value() instanceof Struct s && s.schema().field("op") != null ? s.getString("op") : null;
    }

    @Test
    void connectorTask_realChanges_drasiChangesKeyedByElementId(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("kc_task", """
                CREATE TABLE users (id int PRIMARY KEY, name text, email text, age int);
                CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
                CREATE TABLE docs_full (id int PRIMARY KEY, title text, body text);
                ALTER TABLE docs_full REPLICA IDENTITY FULL;
                INSERT INTO users VALUES (1, 'Alice', 'alice@example.com', 30);
                """);
        Map<String, String> config =
                connectorConfig(db, "kc_task", "kc_task_slot", "public.users,public.docs,public.docs_full");
        PostgresConnectorTask task = new PostgresConnectorTask();
        task.initialize(context(config));
        List<SourceRecord> raw = new ArrayList<>();
        String body;
        try {
            task.start(config);
            pollUntil(task, raw, l -> l.stream().anyMatch(r -> "r".equals(op(r))));
            db.execute(
                    "INSERT INTO users VALUES (2, 'Bob', NULL, NULL)",
                    "UPDATE users SET age = 31 WHERE id = 1",
                    "UPDATE users SET id = 10 WHERE id = 2",
                    "DELETE FROM users WHERE id = 1");
            // incompressible, far above the TOAST threshold
            for (String t : List.of("docs", "docs_full")) {
                db.execute(
                        "INSERT INTO " + t
                                + " SELECT 1, 'v1', string_agg(md5(g::text), '') FROM generate_series(1, 600) g",
                        "UPDATE " + t + " SET title = 'v2' WHERE id = 1");
            }
            db.execute("TRUNCATE users");
            body = db.queryValue("SELECT body FROM docs WHERE id = 1");
            pollUntil(task, raw, l -> l.stream().anyMatch(r -> "t".equals(op(r))));
        } finally {
            task.stop();
        }

        // What Debezium itself emits for the primary key change (REPLICA IDENTITY DEFAULT): d + tombstone + c.
        List<SourceRecord> users = raw.stream()
                .filter(r -> r.topic().equals("kc_task.public.users"))
                .toList();
        int d = -1;
        for (int i = 0; i < users.size(); i++) {
            if ("d".equals(op(users.get(i))) && ((Struct) users.get(i).key()).getInt32("id") == 2) {
                d = i;
            }
        }
        assertThat(d).as("Debezium's delete of the old key").isNotNegative();
        assertThat(users.get(d).headers().lastWithName("__debezium.newkey")).isNotNull();
        assertThat(users.get(d + 1).value()).as("tombstone").isNull();
        assertThat(op(users.get(d + 2))).isEqualTo("c");
        assertThat(((Struct) users.get(d + 2).key()).getInt32("id")).isEqualTo(10);
        assertThat(users.get(d + 2).headers().lastWithName("__debezium.oldkey")).isNotNull();
        assertThat(raw).anyMatch(r -> r.topic().equals("kc_task.transaction"));

        // seed / json, TRUNCATE emitted, unchanged TOAST omitted
        DrasiChangeTransform<SourceRecord> seed =
                smt("drasi.truncate.handling", "emit", "drasi.unavailable.handling", "omit");
        List<SourceRecord> out = new ArrayList<>();
        for (SourceRecord r : raw) {
            SourceRecord o = seed.apply(r);
            if (o != null) {
                out.add(o);
            }
        }
        List<String> summary = new ArrayList<>();
        for (SourceRecord o : out) {
            JsonNode v = JSON.readTree((String) o.value());
            summary.add(o.key() + " " + v.get("type").asText());
            assertThat((String) o.value()).doesNotContain(PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER);
        }
        assertThat(summary)
                .containsExactly(
                        "public:users:1 Insert",
                        "public:users:2 Insert",
                        "public:users:1 Update",
                        "public:users:2 Delete",
                        "public:users:10 Insert",
                        "public:users:1 Delete",
                        "public:docs:1 Insert",
                        "public:docs:1 Update",
                        "public:docs_full:1 Insert",
                        "public:docs_full:1 Update",
                        "public:users: Truncate");
        JsonNode snapshotAlice = JSON.readTree((String) out.get(0).value()).get("element");
        assertThat(snapshotAlice.get("metadata").get("source_id").asText()).isEqualTo("pg-source");
        assertThat(snapshotAlice.get("metadata").get("labels").get(0).asText()).isEqualTo("users");
        assertThat(snapshotAlice.get("properties").toString())
                .isEqualTo("{\"id\":1,\"name\":\"Alice\",\"email\":\"alice@example.com\",\"age\":30}");
        assertThat(JSON.readTree((String) out.get(2).value())
                        .get("element")
                        .get("properties")
                        .get("age")
                        .asInt())
                .isEqualTo(31);
        assertThat(JSON.readTree((String) out.get(4).value())
                        .get("element")
                        .get("properties")
                        .toString())
                .isEqualTo("{\"id\":10,\"name\":\"Bob\",\"email\":null,\"age\":null}");
        long commitMs = JSON.readTree((String) out.get(1).value())
                .get("element")
                .get("metadata")
                .get("effective_from")
                .asLong();
        assertThat(commitMs).isBetween(System.currentTimeMillis() - 120_000, System.currentTimeMillis());
        // DEFAULT identity: the unchanged TOASTed body is omitted and named; FULL: Debezium sends the real value
        JsonNode docsUpdate =
                JSON.readTree((String) out.get(7).value()).get("element").get("properties");
        assertThat(docsUpdate.has("body")).isFalse();
        assertThat(docsUpdate.get("title").asText()).isEqualTo("v2");
        assertThat(out.get(7)
                        .headers()
                        .lastWithName(DrasiChangeTransform.UNAVAILABLE_HEADER)
                        .value())
                .isEqualTo("[\"body\"]");
        JsonNode fullUpdate =
                JSON.readTree((String) out.get(9).value()).get("element").get("properties");
        assertThat(fullUpdate.get("body").asText()).isEqualTo(body).hasSizeGreaterThan(8000);
        assertThat(out.get(9).headers().lastWithName(DrasiChangeTransform.UNAVAILABLE_HEADER))
                .isNull();

        // platform / struct with the defaults for TOAST (fail) and TRUNCATE (here: drop)
        DrasiChangeTransform<SourceRecord> platform =
                smt("drasi.format", "platform", "drasi.value.type", "struct", "drasi.truncate.handling", "drop");
        List<String> ops = new ArrayList<>();
        for (SourceRecord r : raw) {
            boolean toastUpdate = "u".equals(op(r)) && r.topic().equals("kc_task.public.docs");
            if (toastUpdate) {
                assertThatThrownBy(() -> platform.apply(r))
                        .isInstanceOf(DataException.class)
                        .hasMessageContaining("REPLICA IDENTITY FULL")
                        .hasMessageContaining("[body]");
                continue;
            }
            SourceRecord o = platform.apply(r);
            if (o != null) {
                Struct v = (Struct) o.value();
                v.validate();
                Struct payload = v.getStruct("payload");
                assertThat(payload.getStruct("source").getString("db")).isEqualTo(db.database());
                assertThat(payload.getStruct("source").getInt64("lsn")).isPositive();
                Struct el = "d".equals(v.getString("op")) ? payload.getStruct("before") : payload.getStruct("after");
                assertThat(el.getString("id")).isEqualTo(o.key());
                ops.add(o.key() + " " + v.getString("op"));
            }
        }
        assertThat(ops)
                .containsExactly(
                        "public:users:1 i",
                        "public:users:2 i",
                        "public:users:1 u",
                        "public:users:2 d",
                        "public:users:10 i",
                        "public:users:1 d",
                        "public:docs:1 i",
                        "public:docs_full:1 i",
                        "public:docs_full:1 u");
        assertThat(db.replicationSlots()).noneMatch(s -> s.slotName().equals("kc_task_slot"));
    }

    @Test
    void embeddedEngine_transformsDrasi_handlerSeesDrasiRecords(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("kc_engine");
        db.execute(
                "CREATE TABLE orders (order_id int, line_no int, sku text, PRIMARY KEY (order_id, line_no))",
                "INSERT INTO orders VALUES (7, 1, 'a')");
        Properties props = new Properties();
        props.putAll(connectorConfig(db, "kc_engine", "kc_engine_slot", "public.orders"));
        props.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        props.setProperty("offset.flush.interval.ms", "0");
        props.setProperty("transforms", "drasi");
        props.setProperty("transforms.drasi.type", DrasiChangeTransform.class.getName());
        props.setProperty("transforms.drasi.source.id", "orders-src");
        props.setProperty("transforms.drasi.table.keys", "public.orders:line_no,order_id");
        List<String> seen = new CopyOnWriteArrayList<>();
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(
                        ChangeEventFormat.of(Connect.class))
                .using(props)
                .notifying(
                        (List<RecordChangeEvent<SourceRecord>> records,
                                DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) -> {
                            for (RecordChangeEvent<SourceRecord> e : records) {
                                SourceRecord r = e.record();
                                try {
                                    seen.add(r.key() + " "
                                            + JSON.readTree((String) r.value())
                                                    .get("type")
                                                    .asText());
                                } catch (java.io.IOException ex) {
                                    seen.add("unreadable " + r.value());
                                }
                                committer.markProcessed(e);
                            }
                            committer.markBatchFinished();
                        })
                .build();
        ExecutorService exec = Executors.newSingleThreadExecutor();
        try {
            exec.execute(engine);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            db.execute("UPDATE orders SET sku = 'b' WHERE order_id = 7", "DELETE FROM orders WHERE order_id = 7");
            while (seen.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            engine.close();
            exec.shutdown();
            assertThat(exec.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        // configured key order (line_no, order_id); tombstones and transaction records dropped by the SMT
        assertThat(seen)
                .containsExactly("public:orders:1:7 Insert", "public:orders:1:7 Update", "public:orders:1:7 Delete");
    }
}

package io.drasi.source.postgres.it.kafkaconnect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drasi.source.postgres.it.ChangeScenario;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SMT deployed exactly as README's "Kafka Connect" section says, on a real Kafka broker (KRaft, one node) and a
 * real distributed Connect worker, each its own JVM process started from the jars of Kafka 4.3.1 (the Connect
 * version the plugin is built against; it-kafka-runtime resolves them from Maven Central): Debezium's published
 * PostgreSQL connector plugin and {@code kafka-connect/target/drasi-kafka-connect-plugin/} on the worker's
 * {@code plugin.path}, README's connector JSON posted to {@code /connectors} with only the database, its
 * credentials, the slot and the tables replaced. A {@link KafkaConsumer} reads the per-table topics.
 *
 * <p>Tag {@code kafka-connect}: part of {@code ./mvnw -B verify} (CI); {@code -DexcludedGroups=kafka-connect} leaves
 * it out of a local run.
 */
@ExtendWith(PostgresExtension.class)
@Tag("kafka-connect")
class KafkaConnectWorkerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String README_SECRETS = "/etc/kafka/secrets/pg.properties";
    private static Path runDir;
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        runDir = Path.of("target", "kafka-connect-runs", "run-" + System.currentTimeMillis())
                .toAbsolutePath();
        // three partitions per table topic: the key (element id) decides the partition, so order per key is tested
        broker = KafkaBroker.start(runDir.resolve("broker"), 3);
    }

    @AfterAll
    static void stopBroker() throws InterruptedException {
        if (broker != null) {
            broker.close();
        }
    }

    /** README's connector JSON ({@code {"name":..,"config":{..}}}) of the section "Kafka Connect". */
    static ObjectNode readmeConnector() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int marker = readme.indexOf("**Connector config** (`POST /connectors`)");
        assertThat(marker).as("README's Kafka Connect connector config").isNotNegative();
        int open = readme.indexOf("```json\n", marker) + "```json\n".length();
        return (ObjectNode) JSON.readTree(readme.substring(open, readme.indexOf("```", open)));
    }

    /**
     * README's connector with only what differs here replaced: database host, port, name and user, the path of the
     * password file its {@code ${file:...}} reads, the slot (and publication) and the tables.
     */
    static ObjectNode connector(PostgresServer db, Path secretsFile, String slot, String tables) throws IOException {
        ObjectNode c = readmeConnector();
        ObjectNode config = (ObjectNode) c.get("config");
        Map<String, String> local = new LinkedHashMap<>();
        local.put("database.hostname", db.host());
        local.put("database.port", Integer.toString(db.port()));
        local.put("database.user", db.user());
        local.put("database.dbname", db.database());
        local.put(
                "database.password",
                config.path("database.password").asText().replace(README_SECRETS, secretsFile.toString()));
        local.put("slot.name", slot);
        local.put("publication.name", slot);
        local.put("table.include.list", tables);
        local.forEach((k, v) -> {
            assertThat(config.has(k)).as("README's connector config sets %s", k).isTrue();
            config.put(k, v);
        });
        assertThat(config.path("database.password").asText())
                .as("README reads the password through the worker's FileConfigProvider")
                .isEqualTo("${file:" + secretsFile + ":password}");
        return c;
    }

    /**
     * {@link ChangeScenario}: snapshot, then inserts, updates, deletes, key changes (Debezium's primary key and
     * README's {@code message.key.columns}) and a table whose name and key need escaping, in several transactions;
     * every change arrives once, keyed by its element id, as the SMT's seed JSON, in commit order per key. The worker
     * is stopped (SIGTERM) and changes written meanwhile arrive after its restart, nothing twice; then it is killed
     * (SIGKILL): nothing is lost, and what Connect sends again is only what followed its last offset commit.
     */
    @Test
    void readmeDeployment_realBrokerAndWorker_everyChangeOnceInOrderPerKeyAcrossRestarts(PostgresServer pg)
            throws Exception {
        long started = System.nanoTime();
        PostgresServer db = pg.newDatabase("kconnect");
        ChangeScenario.createTables(db);
        String slot = "kconnect_slot";
        Properties pgSecrets = new Properties();
        pgSecrets.setProperty("password", db.password() == null ? "" : db.password());
        ConnectWorker worker = ConnectWorker.install(
                runDir.resolve("worker"), broker.bootstrapServers(), Map.of("pg.properties", pgSecrets));
        List<Rec> consumed = new ArrayList<>();
        try (worker;
                KafkaConsumer<String, String> consumer = consumer()) {
            worker.start();
            long workerUp = System.nanoTime();
            // README: none of what the worker provides is in the plugin directory
            assertThat(fileNames(worker.dir().resolve("plugins/drasi-kafka-connect-plugin")))
                    .isNotEmpty()
                    .noneMatch(n -> n.startsWith("connect-") || n.startsWith("kafka-") || n.startsWith("slf4j-"));
            // README: the jar's service manifest is enough (plugin.discovery=service_load)
            assertThat(worker.pluginClasses())
                    .contains(
                            "source io.debezium.connector.postgresql.PostgresConnector",
                            "transformation io.drasi.source.postgres.kafka.DrasiChangeTransform");

            ObjectNode connector = connector(
                    db, worker.dir().resolve("secrets").resolve("pg.properties"), slot, ChangeScenario.TABLES);
            String name = connector.path("name").asText();
            worker.createConnector(connector.toString());
            worker.awaitRunning(name);

            // the snapshot: one Insert per row
            List<Change> expected = new ArrayList<>(ChangeScenario.snapshot(RECORDS));
            // README's topic.prefix; ':' is not allowed in a topic name, Debezium puts '_'
            assignOnceCreated(
                    consumer, List.of("shop.public.users", "shop.sales.orders", "shop.public.Odd_Table"), worker);
            awaitRecords(consumer, consumed, expected.size(), worker);

            expected.addAll(ChangeScenario.writeWhileRunning(db, RECORDS));
            awaitRecords(consumer, consumed, expected.size(), worker);
            drain(consumer, consumed, Duration.ofSeconds(2));
            assertOncePerKeyInOrder(consumed, expected);
            long streamed = System.nanoTime();

            // SIGTERM: the worker stops the task, commits its offsets and leaves the group
            int lastCommit = expected.size();
            assertThat(worker.stop()).as("exit code after SIGTERM").isIn(0, 143);
            assertThat(worker.logSinceStart())
                    .as("the task stopped cleanly and its offsets were committed")
                    .contains("WorkerSourceTask{id=" + name + "-0} Committing offsets for")
                    .doesNotContain("Graceful stop of task"); // "... failed": cancelled, as after a crash
            expected.addAll(ChangeScenario.writeWhileDown(db, RECORDS));
            int whileDown = expected.size() - lastCommit;
            worker.start();
            worker.awaitRunning(name);
            awaitRecords(consumer, consumed, expected.size(), worker);
            drain(consumer, consumed, Duration.ofSeconds(3)); // anything sent twice after the restart arrives now
            assertOncePerKeyInOrder(consumed, expected);
            long restarted = System.nanoTime();

            // SIGKILL: no offset commit. Connect commits offsets every offset.flush.interval.ms (60 s by default)
            // and when a task stops: the last commit was at the SIGTERM above (unless 60 s passed since). After the
            // restart it re-sends what followed that commit (at least once).
            db.executeInTransaction(
                    "UPDATE users SET score = 2.5 WHERE id = 20", "INSERT INTO \"Odd:Table\" VALUES ('z', 3, NULL)");
            expected.addAll(List.of(
                    RECORDS.update("public:users:20", "users", "{\"id\":20,\"name\":\"while down\",\"score\":2.5}"),
                    RECORDS.insert("public:Odd%3ATable:z", "Odd:Table", "{\"k%\":\"z\",\"n:1\":3,\"note\":null}")));
            awaitRecords(consumer, consumed, expected.size(), worker);
            List<Change> sinceLastCommit = List.copyOf(expected.subList(lastCommit, expected.size()));
            worker.kill();
            db.execute("UPDATE users SET name = 'after crash' WHERE id = 10");
            expected.add(
                    RECORDS.update("public:users:10", "users", "{\"id\":10,\"name\":\"after crash\",\"score\":10.5}"));
            worker.start();
            worker.awaitRunning(name);
            awaitKey(consumer, consumed, "public:users:10", 2, worker);
            drain(consumer, consumed, Duration.ofSeconds(3));
            int resent = assertAtLeastOncePerKeyInOrder(consumed, expected, sinceLastCommit);
            long crashed = System.nanoTime();

            assertThat(worker.logSinceStart()).doesNotContain("DataException");
            System.out.printf(
                    "KafkaConnectWorkerTest: worker up %d ms after the test began; connector, snapshot and %d"
                            + " changes %d ms; SIGTERM restart and %d changes %d ms; SIGKILL restart %d ms (%d of"
                            + " the %d changes since the last offset commit sent again); %d records consumed%n",
                    (workerUp - started) / 1_000_000,
                    lastCommit,
                    (streamed - workerUp) / 1_000_000,
                    whileDown,
                    (restarted - streamed) / 1_000_000,
                    (crashed - restarted) / 1_000_000,
                    resent,
                    sinceLastCommit.size(),
                    consumed.size());
        } catch (Throwable t) {
            System.err.println(broker.logTail(40));
            System.err.println(worker.logTail(120));
            throw t;
        } finally {
            worker.close();
            db.dropSlotIfExists(slot);
        }
    }

    /** One consumed record: where it was, its key and its value with {@code effective_from} checked and removed. */
    record Rec(String topic, int partition, String key, JsonNode value) {}

    /** One expected change: the key and the seed JSON without {@code effective_from}. */
    record Change(String key, JsonNode value) {
        @Override
        public String toString() {
            return key + " " + value;
        }
    }

    private static KafkaConsumer<String, String> consumer() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false"); // the topics are Debezium's to create
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Waits until the producer of the connector created {@code topics} (on its first record to each) and assigns
     * every partition of them, from the beginning. No consumer group: a group's rebalance when a topic appears would
     * re-read (or skip) what this consumer commits no offsets for.
     */
    private static void assignOnceCreated(
            KafkaConsumer<String, String> consumer, List<String> topics, ConnectWorker worker)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Map<String, ?> existing = consumer.listTopics(Duration.ofSeconds(10));
        while (!existing.keySet().containsAll(topics)) {
            if (!worker.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("topics " + topics + " not all created; there are " + existing.keySet());
            }
            Thread.sleep(200);
            existing = consumer.listTopics(Duration.ofSeconds(10));
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (String t : topics) {
            consumer.partitionsFor(t, Duration.ofSeconds(10))
                    .forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        assertThat(partitions).as("partitions (the broker's num.partitions)").hasSize(3 * topics.size());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private static void poll(KafkaConsumer<String, String> consumer, List<Rec> into) {
        long now = Instant.now().toEpochMilli();
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            ObjectNode v;
            try {
                v = (ObjectNode) JSON.readTree(r.value());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + r, e);
            }
            ObjectNode metadata =
                    (ObjectNode) (v.has("element") ? v.path("element").path("metadata") : v.path("metadata"));
            long effectiveFrom = metadata.path("effective_from").asLong();
            assertThat(effectiveFrom)
                    .as("effective_from (the commit time, ms) of %s", r.value())
                    .isBetween(
                            now - Duration.ofMinutes(10).toMillis(),
                            now + Duration.ofMinutes(1).toMillis());
            metadata.remove("effective_from");
            into.add(new Rec(r.topic(), r.partition(), r.key(), v));
        }
    }

    private static void awaitRecords(
            KafkaConsumer<String, String> consumer, List<Rec> into, int count, ConnectWorker worker) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (into.size() < count) {
            if (!worker.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError((worker.isAlive() ? "timed out" : "the worker exited") + " waiting for "
                        + count + " records; consumed " + into.size() + ": " + into);
            }
            poll(consumer, into);
        }
    }

    private static void awaitKey(
            KafkaConsumer<String, String> consumer, List<Rec> into, String key, int count, ConnectWorker worker) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (into.stream().filter(r -> key.equals(r.key())).count() < count) {
            if (!worker.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError((worker.isAlive() ? "timed out" : "the worker exited") + " waiting for "
                        + count + " records of " + key + "; consumed " + into.size() + ": " + into);
            }
            poll(consumer, into);
        }
    }

    /** Keeps polling for {@code quiet}: whatever arrives twice or unexpectedly is then in {@code into}. */
    private static void drain(KafkaConsumer<String, String> consumer, List<Rec> into, Duration quiet) {
        long until = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < until) {
            poll(consumer, into);
        }
    }

    /**
     * Every record is keyed by its element id and in the topic of its table; per key, the values are exactly the
     * expected changes of that key in commit order (Kafka orders only within a partition; one key, one partition).
     */
    private static void assertOncePerKeyInOrder(List<Rec> consumed, List<Change> expected) {
        assertKeysAndTopics(consumed);
        assertThat(byKey(consumed)).as("consumed, per key").isEqualTo(expectedByKey(expected));
        assertThat(consumed).as("each change once").hasSameSizeAs(expected);
    }

    /**
     * After a crash: per key, the values are the expected changes in commit order, where changes of
     * {@code sinceLastCommit} may come twice (re-sent by Connect after the restart, in order).
     *
     * @return how many records were sent again
     */
    private static int assertAtLeastOncePerKeyInOrder(
            List<Rec> consumed, List<Change> expected, List<Change> sinceLastCommit) {
        assertKeysAndTopics(consumed);
        Map<String, List<JsonNode>> got = byKey(consumed);
        Map<String, List<JsonNode>> want = expectedByKey(expected);
        assertThat(got.keySet()).as("keys").containsExactlyInAnyOrderElementsOf(want.keySet());
        int resent = 0;
        for (var e : want.entrySet()) {
            List<JsonNode> g = got.get(e.getKey());
            List<JsonNode> replayable = sinceLastCommit.stream()
                    .filter(c -> c.key().equals(e.getKey()))
                    .map(Change::value)
                    .toList();
            // the key's history, where the part after the last commit may come a second time right after itself
            int w = 0;
            for (int i = 0; i < g.size(); i++) {
                if (w < e.getValue().size() && g.get(i).equals(e.getValue().get(w))) {
                    w++;
                } else {
                    assertThat(replayable)
                            .as(
                                    "%s: record %d (%s) is neither the next change (%s) nor a re-sent one; got %s",
                                    e.getKey(),
                                    i,
                                    g.get(i),
                                    w < e.getValue().size() ? e.getValue().get(w) : "none",
                                    g)
                            .contains(g.get(i));
                    resent++;
                }
            }
            assertThat(w)
                    .as("%s: every change arrived, in order: got %s, want %s", e.getKey(), g, e.getValue())
                    .isEqualTo(e.getValue().size());
        }
        assertThat(consumed).hasSize(expected.size() + resent);
        return resent;
    }

    private static void assertKeysAndTopics(List<Rec> consumed) {
        assertThat(consumed).allSatisfy(r -> {
            JsonNode metadata = r.value().has("element")
                    ? r.value().path("element").path("metadata")
                    : r.value().path("metadata");
            assertThat(r.key())
                    .as("key of %s", r)
                    .isEqualTo(metadata.path("element_id").asText());
            String table = r.key().substring(0, r.key().indexOf(':', r.key().indexOf(':') + 1));
            assertThat(r.topic())
                    .as("topic of %s", r)
                    .isEqualTo(
                            switch (table) {
                                case "public:users" -> "shop.public.users";
                                case "sales:orders" -> "shop.sales.orders";
                                case "public:Odd%3ATable" -> "shop.public.Odd_Table";
                                default -> throw new AssertionError("unexpected table " + table);
                            });
        });
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<String, List<JsonNode>> byKey(List<Rec> consumed) {
        Map<String, List<JsonNode>> m = new LinkedHashMap<>();
        consumed.forEach(r -> m.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value()));
        return m;
    }

    private static Map<String, List<JsonNode>> expectedByKey(List<Change> expected) {
        Map<String, List<JsonNode>> m = new LinkedHashMap<>();
        expected.forEach(c -> m.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c.value()));
        return m;
    }

    /** The SMT's seed JSON records, keyed by element id, without {@code effective_from}. */
    private static final ChangeScenario.Format<Change> RECORDS = new ChangeScenario.Format<>() {
        @Override
        public Change insert(String id, String label, String properties) {
            return withElement("Insert", id, label, properties);
        }

        @Override
        public Change update(String id, String label, String properties) {
            return withElement("Update", id, label, properties);
        }

        private Change withElement(String type, String id, String label, String properties) {
            return change(
                    id,
                    "{\"type\":\"" + type + "\",\"element\":{" + metadata(id, label) + ",\"properties\":" + properties
                            + "}}");
        }

        @Override
        public Change delete(String id, String label) {
            return change(id, "{\"type\":\"Delete\"," + metadata(id, label) + "}");
        }
    };

    private static String metadata(String id, String label) {
        return "\"metadata\":{\"element_id\":" + JSON.valueToTree(id) + ",\"source_id\":\"pg-source\",\"labels\":["
                + JSON.valueToTree(label) + "]}";
    }

    private static Change change(String key, String json) {
        try {
            return new Change(key, JSON.readTree(json));
        } catch (IOException e) {
            throw new AssertionError(json, e);
        }
    }
}

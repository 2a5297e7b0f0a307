package io.drasi.source.postgres.it.debeziumserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drasi.source.postgres.http.FakeDrasiHttpSource;
import io.drasi.source.postgres.it.ChangeScenario;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real Debezium Server distribution (README "Debezium Server"): the jars of
 * {@code kafka-connect/target/drasi-debezium-server-lib/} in its {@code lib/}, README's
 * {@code application.properties} (only the database, slot, tables, URL, the server's HTTP port and the retry interval
 * replaced), its HTTP sink posting to an in-process drasi HTTP source ({@link FakeDrasiHttpSource}, the contract of
 * drasi-core's {@code http} source in standard mode) that answers the first request with 503.
 *
 * <p>The distribution (~700 MB) comes from the local Maven repository, downloaded there once when missing
 * ({@link DebeziumServerDist}); the server runs on a Java 21+ JDK. Tag {@code debezium-server}: part of
 * {@code ./mvnw -B verify} (CI); {@code -DexcludedGroups=debezium-server} leaves it out of a local run.
 */
@ExtendWith(PostgresExtension.class)
@Tag("debezium-server")
class DebeziumServerTest {

    private static final String SOURCE_ID = "pg-source";
    private static Path home;
    private static Path javaHome;

    @BeforeAll
    static void distribution() throws Exception {
        List<String> tried = new ArrayList<>();
        javaHome = DebeziumServerDist.javaHome(tried)
                .orElseThrow(() -> new AssertionError("Debezium Server "
                        + DebeziumServerDist.version() + " needs Java " + DebeziumServerDist.MIN_JAVA
                        + "+ and none was found: "
                        + String.join("; ", tried)
                        + ". Fix: set DEBEZIUM_SERVER_JAVA_HOME to a JDK 21+ or run the build on one"
                        + " (.ci/run uses /usr/lib/jvm/temurin-25-jdk*)"));
        home = DebeziumServerDist.home();
    }

    /**
     * The jars README tells to copy: {@code kafka-connect/target/drasi-debezium-server-lib/} (built by its package).
     */
    static List<Path> ourJars() throws IOException {
        Path dir = Path.of("..", "kafka-connect", "target", "drasi-debezium-server-lib")
                .toAbsolutePath()
                .normalize();
        assertThat(dir)
                .as("built by the kafka-connect module's package, before it-tests in the reactor")
                .isDirectory();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    /** README's {@code application.properties} block of the section "Debezium Server". */
    static Map<String, String> readmeProperties() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int marker = readme.indexOf("<!-- debezium-server-properties");
        assertThat(marker).as("README's Debezium Server properties block").isNotNegative();
        int open = readme.indexOf("```properties\n", marker) + "```properties\n".length();
        Properties p = new Properties();
        p.load(new StringReader(readme.substring(open, readme.indexOf("```", open))));
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    /**
     * README's file with only what differs on this machine replaced.
     *
     * @param env receives {@code PG_PASSWORD}, which the file's {@code ${PG_PASSWORD}} refers to
     */
    static Map<String, String> config(
            PostgresServer db, String slot, String tables, String keyColumns, String url, Map<String, String> env)
            throws IOException {
        Map<String, String> c = readmeProperties();
        assertThat(c).containsEntry("debezium.source.database.password", "${PG_PASSWORD}");
        if (db.password() == null || db.password().isEmpty()) {
            c.put("debezium.source.database.password", ""); // an empty ${PG_PASSWORD} would be "missing" to Quarkus
        } else {
            env.put("PG_PASSWORD", db.password());
        }
        Map<String, String> local = Map.of(
                "debezium.sink.http.url", url,
                "debezium.source.database.hostname", db.host(),
                "debezium.source.database.port", Integer.toString(db.port()),
                "debezium.source.database.user", db.user(),
                "debezium.source.database.dbname", db.database(),
                "debezium.source.slot.name", slot,
                "debezium.source.publication.name", slot,
                "debezium.source.table.include.list", tables,
                "debezium.source.message.key.columns", keyColumns,
                "debezium.transforms.drasi.table.keys", keyColumns);
        local.forEach((k, v) -> assertThat(c).as("README's file sets %s", k).containsKey(k));
        c.putAll(local);
        c.put("quarkus.http.port", "0"); // README leaves the server's own port at its default, 8080
        c.put("quarkus.http.host", "127.0.0.1");
        c.put("debezium.sink.http.retry.interval.ms", "300");
        return c;
    }

    static DebeziumServerProcess install(String name, Map<String, String> config) throws IOException {
        Path dir = Path.of("target", "debezium-server-runs", name + "-" + System.currentTimeMillis())
                .toAbsolutePath();
        return DebeziumServerProcess.install(home, ourJars(), config, dir, javaHome);
    }

    /**
     * Only this project's jars; none is in the distribution's lib/ under any version, none shares a class with a jar
     * there (no second copy of a class on the server's class path), and the distribution holds every other jar of
     * the Kafka Connect plugin directory (what the SMT needs at run time), under the same Debezium version.
     */
    @Test
    void serverLib_ourThreeJars_noDuplicateOrConflictAndTheRestProvided() throws IOException {
        List<Path> ours = ourJars();
        assertThat(ours)
                .extracting(p -> artifact(p.getFileName().toString()))
                .containsExactlyInAnyOrder(
                        "drasi-source-postgres-kafka-connect",
                        "drasi-source-postgres-mapping",
                        "drasi-source-postgres-core");
        Map<String, String> serverJars = new LinkedHashMap<>(); // artifact -> file name
        try (Stream<Path> s = Files.list(home.resolve("lib"))) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jar"))
                    .sorted()
                    .forEach(n -> serverJars.put(artifact(n), n));
        }
        for (Path jar : ours) {
            assertThat(serverJars)
                    .as("the distribution's lib/ has no %s", jar.getFileName())
                    .doesNotContainKey(artifact(jar.getFileName().toString()));
        }
        Set<String> ourClasses = new TreeSet<>();
        for (Path jar : ours) {
            ourClasses.addAll(classes(jar));
        }
        List<String> clashes = new ArrayList<>();
        for (String n : serverJars.values()) {
            for (String c : classes(home.resolve("lib").resolve(n))) {
                if (ourClasses.contains(c)) {
                    clashes.add(n + ": " + c);
                }
            }
        }
        assertThat(clashes)
                .as("classes of our jars also in the distribution's lib/")
                .isEmpty();

        Path plugin = Path.of("..", "kafka-connect", "target", "drasi-kafka-connect-plugin");
        List<String> pluginOthers;
        try (Stream<Path> s = Files.list(plugin)) {
            pluginOthers = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jar"))
                    .filter(n -> !n.startsWith("drasi-source-postgres-"))
                    .sorted()
                    .toList();
        }
        assertThat(pluginOthers).isNotEmpty();
        for (String n : pluginOthers) {
            assertThat(serverJars)
                    .as("the distribution provides %s (the SMT needs it at run time)", n)
                    .containsKey(artifact(n));
            if (n.startsWith("debezium-")) {
                assertThat(serverJars.get(artifact(n)))
                        .as("same Debezium version")
                        .isEqualTo(n);
            }
        }
        for (String provided : List.of("connect-api", "connect-transforms", "kafka-clients", "slf4j-api")) {
            assertThat(serverJars).as("the distribution provides %s", provided).containsKey(provided);
        }
    }

    /**
     * {@link ChangeScenario}: snapshot, then inserts, updates, deletes and key changes on a plain table, on one whose
     * name and keys need escaping in element ids and on one keyed by {@code message.key.columns}, in several
     * transactions; then the server is stopped, changes are written while it is down, and it is started again.
     * Every change reaches the drasi HTTP source once, in commit order, as the event {@code HostPushJson} writes;
     * the first request (answered 503) is re-sent.
     */
    @Test
    void httpSink_hostFormat_everyChangeOnceInCommitOrderAcrossRestart(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("dbz_server");
        ChangeScenario.createTables(db);
        String slot = "dbz_server_slot";
        try (FakeDrasiHttpSource http = FakeDrasiHttpSource.start(SOURCE_ID)) {
            http.enqueue(new FakeDrasiHttpSource.Status(503, "{\"success\":false,\"message\":\"starting\"}"));
            Map<String, String> env = new HashMap<>();
            DebeziumServerProcess server = install(
                    "changes",
                    config(db, slot, ChangeScenario.TABLES, ChangeScenario.KEY_COLUMNS, http.url() + "/events", env));
            try (server) {
                server.start(env);
                // the snapshot: one insert per row (its order between tables is Debezium's)
                int snapshot = ChangeScenario.snapshot(EVENTS).size();
                awaitApplied(http, server, snapshot);
                assertThat(withoutTimestamps(http.applied()))
                        .containsExactlyInAnyOrderElementsOf(ChangeScenario.snapshot(EVENTS));

                List<String> streamed = ChangeScenario.writeWhileRunning(db, EVENTS);
                awaitApplied(http, server, snapshot + streamed.size());
                assertThat(withoutTimestamps(
                                http.applied().subList(snapshot, http.applied().size())))
                        .as("streamed changes, in commit order")
                        .containsExactlyElementsOf(streamed);

                // the server writes its offsets after the HTTP answer: stopping between the two would (at least
                // once, README) post the last change again, so stop once they are flushed
                awaitOffsetsQuiet(server, Duration.ofSeconds(1));
                assertThat(server.stop()).as("exit code after SIGTERM").isIn(0, 143);
                List<String> afterRestart = ChangeScenario.writeWhileDown(db, EVENTS);
                server.start(env);
                awaitApplied(http, server, snapshot + streamed.size() + afterRestart.size());
                Thread.sleep(1500); // anything sent twice after the restart would arrive now
                List<JsonNode> applied = http.applied();
                assertThat(withoutTimestamps(applied.subList(snapshot + streamed.size(), applied.size())))
                        .as("after the restart: only what was written while it was down")
                        .containsExactlyElementsOf(afterRestart);

                // the first request was answered 503 and its event sent again: nothing lost, nothing twice
                List<FakeDrasiHttpSource.Request> requests = http.requests();
                assertThat(requests.get(0).status()).isEqualTo(503);
                assertThat(requests.get(1).events()).isEqualTo(requests.get(0).events());
                assertThat(requests.subList(1, requests.size())).allSatisfy(r -> {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.fullSuccess()).isTrue();
                    assertThat(r.path()).isEqualTo("/sources/" + SOURCE_ID + "/events");
                    assertThat(r.events()).hasSize(1);
                });
                assertThat(requests).hasSize(applied.size() + 1);
                // timestamps: commit time in ns (effective_from in ms, times 10^6), one per transaction
                long now = Instant.now().toEpochMilli() * 1_000_000L;
                assertThat(applied).allSatisfy(e -> {
                    long ts = e.path("timestamp").asLong();
                    assertThat(ts % 1_000_000L).isZero();
                    assertThat(ts)
                            .isBetween(
                                    now - Duration.ofMinutes(10).toNanos(),
                                    now + Duration.ofMinutes(1).toNanos());
                });
                assertThat(applied.get(snapshot + 1).path("timestamp"))
                        .as("one transaction, one commit time")
                        .isEqualTo(applied.get(snapshot).path("timestamp"));
                assertThat(server.log()).doesNotContain("DataException").doesNotContain(" ERROR ");
            } finally {
                db.dropSlotIfExists(slot);
            }
        }
    }

    /**
     * An event the drasi source refuses (here: the URL names another source id, 400) is retried, then the server
     * stops — with exit code 0, as Debezium Server 3.6.3 does after any connector failure — without acknowledging
     * it: started again with the right URL, the server posts it. No change is skipped.
     */
    @Test
    void httpSink_drasiRefusesTheEvent_serverStopsAndPostsItAfterTheFix(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("dbz_server_refused");
        db.execute("CREATE TABLE users (id int PRIMARY KEY, name text)");
        String slot = "dbz_server_refused_slot";
        try (FakeDrasiHttpSource http = FakeDrasiHttpSource.start(SOURCE_ID)) {
            Map<String, String> env = new HashMap<>();
            Map<String, String> c = config(
                    db,
                    slot,
                    "public.users",
                    "public.users:id",
                    http.url().replace(SOURCE_ID, "typo") + "/events",
                    env);
            c.put("debezium.sink.http.retries", "2");
            c.put("debezium.source.snapshot.mode", "no_data"); // a streamed change is refused, not a snapshot row
            DebeziumServerProcess server = install("refused", c);
            try (server) {
                server.start(env);
                awaitSlotActive(db, slot, server);
                db.execute("INSERT INTO users VALUES (1, 'Alice')");
                assertThat(server.awaitExit(Duration.ofSeconds(90)))
                        .as("exit code (Debezium Server 3.6.3)")
                        .isZero();
                assertThat(http.requests())
                        .as("the first try and the retries")
                        .hasSizeGreaterThanOrEqualTo(2)
                        .allSatisfy(r -> assertThat(r.status()).isEqualTo(400));
                assertThat(http.applied()).isEmpty();
                assertThat(server.log())
                        .contains("Source name mismatch")
                        .contains("Exceeded maximum number of attempts to publish event")
                        .contains("Connector completed: success = 'false'");
                db.execute("INSERT INTO users VALUES (2, 'Bob')");

                c.put("debezium.sink.http.url", http.url() + "/events");
                server.configure(c);
                server.start(env);
                awaitApplied(http, server, 2);
                Thread.sleep(1000);
                assertThat(withoutTimestamps(http.applied()))
                        .containsExactly(
                                EVENTS.insert("public:users:1", "users", "{\"id\":1,\"name\":\"Alice\"}"),
                                EVENTS.insert("public:users:2", "users", "{\"id\":2,\"name\":\"Bob\"}"));
            } finally {
                db.dropSlotIfExists(slot);
            }
        }
    }

    /**
     * README's advice for tables with large values, checked on the real server: an UPDATE that leaves a TOASTed
     * column unchanged (REPLICA IDENTITY DEFAULT) reaches drasi, with {@code drasi.unavailable.handling=omit}, as an
     * Update without that property, and the sink forwards the SMT's {@code drasi.unavailable} header under the name
     * and encoding README gives ({@code X-DEBEZIUM-DRASI.UNAVAILABLE}: base64 of the Connect JSON envelope whose
     * {@code payload} is the JSON array of column names).
     */
    @Test
    void httpSink_unchangedToastedColumnOmitted_updateWithoutItAndHeaderNamesIt(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("dbz_server_toast", """
                CREATE TABLE docs (id int PRIMARY KEY, n int, body text);
                ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL; -- out of line, uncompressed
                INSERT INTO docs SELECT 1, 0, string_agg(md5(g::text), '') FROM generate_series(1, 400) g;
                """);
        String slot = "dbz_server_toast_slot";
        try (FakeDrasiHttpSource http = FakeDrasiHttpSource.start(SOURCE_ID)) {
            Map<String, String> env = new HashMap<>();
            Map<String, String> c = config(db, slot, "public.docs", "public.docs:id", http.url() + "/events", env);
            c.put("debezium.transforms.drasi.drasi.unavailable.handling", "omit");
            c.put("debezium.source.snapshot.mode", "no_data");
            DebeziumServerProcess server = install("toast", c);
            try (server) {
                server.start(env);
                awaitSlotActive(db, slot, server);
                db.execute("UPDATE docs SET n = 1 WHERE id = 1");
                awaitApplied(http, server, 1);
                assertThat(withoutTimestamps(http.applied()))
                        .containsExactly(EVENTS.update("public:docs:1", "docs", "{\"id\":1,\"n\":1}"));
                FakeDrasiHttpSource.Request posted = http.requests().get(0);
                assertThat(posted.headers()).containsKey("x-debezium-drasi.unavailable");
                String header = posted.headers().get("x-debezium-drasi.unavailable");
                JsonNode envelope =
                        new ObjectMapper().readTree(Base64.getDecoder().decode(header));
                assertThat(envelope.path("schema").path("type").asText())
                        .as("header %s, base64-decoded: %s", header, envelope)
                        .isEqualTo("string");
                assertThat(new ObjectMapper().readTree(envelope.path("payload").asText()))
                        .as("header %s, base64-decoded: %s", header, envelope)
                        .isEqualTo(new ObjectMapper().readTree("[\"body\"]"));
            } finally {
                db.dropSlotIfExists(slot);
            }
        }
    }

    private static void awaitSlotActive(PostgresServer db, String slot, DebeziumServerProcess server)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!"true"
                .equals(db.queryValue("SELECT coalesce(bool_or(active), false)::text FROM pg_replication_slots"
                        + " WHERE slot_name = '" + slot + "'"))) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("slot " + slot + " never became active\n" + server.logTail(80));
            }
            Thread.sleep(100);
        }
    }

    /** Waits until {@code data/offsets.dat} has not changed for {@code quiet} (at most 30 s). */
    private static void awaitOffsetsQuiet(DebeziumServerProcess server, Duration quiet)
            throws IOException, InterruptedException {
        Path offsets = server.dir().resolve("data").resolve("offsets.dat");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long stableSince = System.nanoTime();
        FileTime last = Files.exists(offsets) ? Files.getLastModifiedTime(offsets) : null;
        while (System.nanoTime() - stableSince < quiet.toNanos()) {
            assertThat(System.nanoTime())
                    .as("offsets still changing after 30 s")
                    .isLessThan(deadline);
            Thread.sleep(50);
            FileTime now = Files.exists(offsets) ? Files.getLastModifiedTime(offsets) : null;
            if (!java.util.Objects.equals(now, last)) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        assertThat(last).as("offsets written").isNotNull();
    }

    private static void awaitApplied(FakeDrasiHttpSource http, DebeziumServerProcess server, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (http.applied().size() < count) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError((server.isAlive() ? "timed out" : "Debezium Server exited") + " waiting for "
                        + count
                        + " events; applied " + http.applied().size() + ": " + withoutTimestamps(http.applied())
                        + "\nrequests: " + http.requests() + "\n--- server.log (tail) ---\n" + server.logTail(80));
            }
            Thread.sleep(50);
        }
    }

    private static List<String> withoutTimestamps(List<JsonNode> events) {
        return events.stream()
                .map(e -> {
                    ObjectNode copy = e.deepCopy();
                    assertThat(copy.remove("timestamp"))
                            .as("timestamp of %s", e)
                            .isNotNull();
                    return copy.toString();
                })
                .toList();
    }

    /** The events {@code HostPushJson} writes, without timestamps. */
    private static final ChangeScenario.Format<String> EVENTS = new ChangeScenario.Format<>() {
        @Override
        public String insert(String id, String label, String properties) {
            return "{\"operation\":\"insert\"," + element(id, label, properties) + "}";
        }

        @Override
        public String update(String id, String label, String properties) {
            return "{\"operation\":\"update\"," + element(id, label, properties) + "}";
        }

        private String element(String id, String label, String properties) {
            return "\"element\":{\"type\":\"node\",\"id\":\"" + id + "\",\"labels\":[\"" + label + "\"],\"properties\":"
                    + properties + "}";
        }

        @Override
        public String delete(String id, String label) {
            return "{\"operation\":\"delete\",\"id\":\"" + id + "\",\"labels\":[\"" + label + "\"]}";
        }
    };

    /** {@code debezium-api-3.6.3.Final.jar} → {@code debezium-api}. */
    static String artifact(String fileName) {
        return fileName.replaceAll("-\\d[\\w.+-]*\\.jar$", "").replaceAll("\\.jar$", "");
    }

    private static Set<String> classes(Path jar) throws IOException {
        Set<String> out = new TreeSet<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            z.stream()
                    .map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && !n.endsWith("module-info.class"))
                    .forEach(out::add);
        }
        return out;
    }
}

package io.drasi.source.postgres.it.kafkaconnect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A distributed Kafka Connect worker ({@code org.apache.kafka.connect.cli.ConnectDistributed}, as
 * {@code bin/connect-distributed.sh} runs it) installed as README's "Kafka Connect" section says: on its
 * {@code plugin.path}, Debezium's PostgreSQL connector plugin (its published archive, unpacked) with this project's
 * mapping and core jars added, and next to it a copy of {@code kafka-connect/target/drasi-kafka-connect-plugin/}.
 * Its REST API on a free loopback port; {@code worker.log} in its directory, which stays across restarts.
 *
 * <p>Not thread-safe: one test drives it.
 */
final class ConnectWorker implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final int restPort;
    private final JvmProcess process;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int logFrom;

    private ConnectWorker(Path dir, int restPort, JvmProcess process) {
        this.dir = dir;
        this.restPort = restPort;
        this.process = process;
    }

    /**
     * Lays out the installation (not started).
     *
     * @param dir              its directory (created)
     * @param bootstrapServers the broker
     * @param secrets          files of the worker's {@code FileConfigProvider} ({@code secrets/<name>}:
     *                         {@code key=value} lines), e.g. the database password README's connector config reads
     */
    static ConnectWorker install(Path dir, String bootstrapServers, Map<String, Properties> secrets)
            throws IOException {
        Path plugins = dir.resolve("plugins");
        // README: the Debezium PostgreSQL connector plugin, plus our mapping and core jars (PgTextConverter)
        Path debezium =
                copyDirectory(KafkaRuntime.debeziumPostgresPlugin(), plugins.resolve("debezium-connector-postgres"));
        for (Path jar : jars(KafkaRuntime.drasiPlugin())) {
            String n = jar.getFileName().toString();
            if (n.startsWith("drasi-source-postgres-mapping-") || n.startsWith("drasi-source-postgres-core-")) {
                Files.copy(jar, debezium.resolve(n));
            }
        }
        // README: the plugin directory next to it
        copyDirectory(KafkaRuntime.drasiPlugin(), plugins.resolve("drasi-kafka-connect-plugin"));
        Path secretsDir = Files.createDirectories(dir.resolve("secrets"));
        for (var e : secrets.entrySet()) {
            try (var w = Files.newBufferedWriter(secretsDir.resolve(e.getKey()), StandardCharsets.ISO_8859_1)) {
                e.getValue().store(w, null);
            }
        }
        int restPort = KafkaBroker.freePort();
        Path config = dir.resolve("worker.properties");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        // config/connect-distributed.properties of Kafka, for a one-broker cluster
                        "bootstrap.servers=" + bootstrapServers,
                        "group.id=connect-cluster",
                        "key.converter=org.apache.kafka.connect.json.JsonConverter",
                        "value.converter=org.apache.kafka.connect.json.JsonConverter",
                        "offset.storage.topic=connect-offsets",
                        "offset.storage.replication.factor=1",
                        "offset.storage.partitions=1",
                        "config.storage.topic=connect-configs",
                        "config.storage.replication.factor=1",
                        "status.storage.topic=connect-status",
                        "status.storage.replication.factor=1",
                        "status.storage.partitions=1",
                        "listeners=http://127.0.0.1:" + restPort,
                        "rest.advertised.host.name=127.0.0.1",
                        // README: the plugins, and how the worker finds them
                        "plugin.path=" + plugins.toAbsolutePath(),
                        "plugin.discovery=service_load",
                        // README: ${file:...} in the connector config (the database password)
                        "config.providers=file",
                        "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                        // a worker that comes back after a crash gets the connector's task at once, not after
                        // the default 5 minutes Connect waits for the lost worker to return
                        "scheduled.rebalance.max.delay.ms=0",
                        // a SIGTERM on a busy machine stops the task cleanly (offsets committed) instead of
                        // cancelling it after the default 5 s, which would be a crash for its last changes
                        "task.shutdown.graceful.timeout.ms=30000",
                        ""),
                StandardCharsets.UTF_8);
        Path log4j = KafkaBroker.writeLog4jConfig(dir);
        JvmProcess p = new JvmProcess(
                "Kafka Connect worker",
                KafkaRuntime.classPath(),
                KafkaBroker.jvmOptions(log4j, "512m"),
                "org.apache.kafka.connect.cli.ConnectDistributed",
                List.of(config.toString()),
                dir,
                dir.resolve("worker.log"));
        return new ConnectWorker(dir, restPort, p);
    }

    /** @return the installation directory */
    Path dir() {
        return dir;
    }

    /** Starts the worker and waits until it joined its group and serves its REST API. */
    void start() throws IOException, InterruptedException {
        logFrom = process.logLength();
        process.start();
        process.awaitLog("Kafka Connect started", logFrom, Duration.ofSeconds(120));
    }

    /** SIGTERM: the worker stops its tasks, commits their offsets and leaves the group. @return the exit code */
    int stop() throws InterruptedException {
        return process.stop(Duration.ofSeconds(90));
    }

    /** SIGKILL: nothing is committed or flushed. */
    void kill() throws InterruptedException {
        process.kill();
    }

    /** @return whether the worker process runs */
    boolean isAlive() {
        return process.isAlive();
    }

    /** @return the worker's log since its last start */
    String logSinceStart() throws IOException {
        String all = process.log();
        return all.substring(Math.min(logFrom, all.length()));
    }

    /** @return the last lines of its log */
    String logTail(int lines) {
        return process.logTail(lines);
    }

    /**
     * {@code POST /connectors}; retried while the worker answers that it is not ready yet (409 during a rebalance).
     *
     * @return the response body
     */
    JsonNode createConnector(String json) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/connectors"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)));
            if (r.statusCode() == 201) {
                return JSON.readTree(r.body());
            }
            if (r.statusCode() != 409 || System.nanoTime() > deadline) {
                throw new AssertionError(
                        "POST /connectors answered " + r.statusCode() + ": " + r.body() + "\n" + logTail(60));
            }
            Thread.sleep(250);
        }
    }

    /** @return {@code GET /connectors/{name}/status}, or null while the worker does not know the connector yet */
    JsonNode status(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/connectors/" + name + "/status")));
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    /** @return {@code GET /connector-plugins?connectorsOnly=false}: every plugin class the worker found */
    List<String> pluginClasses() throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/connector-plugins?connectorsOnly=false")));
        List<String> out = new ArrayList<>();
        JSON.readTree(r.body())
                .forEach(p ->
                        out.add(p.path("type").asText() + " " + p.path("class").asText()));
        return out;
    }

    /** Waits until the connector and its one task run; fails naming the trace when either failed. */
    void awaitRunning(String name) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode s = null;
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new AssertionError("the worker exited\n" + logTail(80));
            }
            s = status(name);
            if (s != null) {
                String connector = s.path("connector").path("state").asText();
                JsonNode task = s.path("tasks").path(0);
                if ("FAILED".equals(connector)
                        || "FAILED".equals(task.path("state").asText())) {
                    throw new AssertionError(
                            "connector " + name + " failed: " + s.toPrettyString() + "\n" + logTail(60));
                }
                if ("RUNNING".equals(connector)
                        && "RUNNING".equals(task.path("state").asText())) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("connector " + name + " not running after 120 s: " + s + "\n" + logTail(60));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static Path copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return to;
    }
}

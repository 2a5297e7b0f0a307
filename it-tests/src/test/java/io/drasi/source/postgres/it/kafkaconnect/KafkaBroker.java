package io.drasi.source.postgres.it.kafkaconnect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A single-node Kafka cluster in KRaft mode (one process, broker and controller), as {@code bin/kafka-storage.sh
 * format --standalone} and {@code bin/kafka-server-start.sh} run it from Kafka's {@code libs/}: the class path of
 * the it-kafka-runtime module ({@code kafka_2.13} and {@code connect-runtime} of the Kafka version the plugin is
 * built against, resolved from Maven Central), {@code kafka.tools.StorageTool} then {@code kafka.Kafka}, on free
 * loopback ports, its data and {@code broker.log} under {@code dir}.
 *
 * <p>Not thread-safe: one test drives it.
 */
final class KafkaBroker implements AutoCloseable {

    /** Heap and JIT for a small test machine (Kafka's scripts default to 1 GB and the full JIT). */
    static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final int port;
    private final JvmProcess process;

    private KafkaBroker(int port, JvmProcess process) {
        this.port = port;
        this.process = process;
    }

    /**
     * Formats the storage and starts the broker; returns once it logged that it started.
     *
     * @param dir            its directory (created)
     * @param numPartitions the partitions of every topic created automatically (Debezium's per-table topics)
     */
    static KafkaBroker start(Path dir, int numPartitions) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freePort();
        int controllerPort = freePort();
        Path config = dir.resolve("server.properties");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                        "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                        "num.partitions=" + numPartitions,
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        ""),
                StandardCharsets.UTF_8);
        Path log4j = writeLog4jConfig(dir);
        List<String> jvm = jvmOptions(log4j, "384m");
        String classPath = KafkaRuntime.classPath();
        new JvmProcess(
                        "kafka-storage format",
                        classPath,
                        jvm,
                        "kafka.tools.StorageTool",
                        List.of("format", "--standalone", "-t", clusterId(), "-c", config.toString()),
                        dir,
                        dir.resolve("storage-format.log"))
                .run(Duration.ofSeconds(120));
        JvmProcess broker = new JvmProcess(
                "Kafka broker",
                classPath,
                jvm,
                "kafka.Kafka",
                List.of(config.toString()),
                dir,
                dir.resolve("broker.log"));
        KafkaBroker b = new KafkaBroker(port, broker);
        broker.start();
        try {
            broker.awaitLog("Kafka Server started", 0, Duration.ofSeconds(120));
        } catch (AssertionError | IOException | InterruptedException e) {
            broker.close();
            throw e;
        }
        return b;
    }

    /** @return {@code bootstrap.servers} */
    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** @return the last lines of its log */
    String logTail(int lines) {
        return process.logTail(lines);
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }

    /** JVM options of a Kafka process: {@link #JVM_OPTIONS}, the heap cap and the log4j2 configuration. */
    static List<String> jvmOptions(Path log4jConfig, String maxHeap) {
        List<String> o = new ArrayList<>(JVM_OPTIONS);
        o.add("-Xmx" + maxHeap);
        o.add("-Dlog4j2.configurationFile=" + log4jConfig.toAbsolutePath());
        return o;
    }

    /**
     * Kafka logs through log4j2: INFO to standard output (the process's log file) like Kafka's own
     * {@code config/log4j2.yaml}, without the configuration dumps.
     */
    static Path writeLog4jConfig(Path dir) throws IOException {
        Path p = dir.resolve("log4j2.properties");
        Files.writeString(
                p,
                String.join(
                        "\n",
                        "status = warn",
                        "appender.out.type = Console",
                        "appender.out.name = OUT",
                        "appender.out.layout.type = PatternLayout",
                        "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.out.ref = OUT",
                        "logger.config.name = org.apache.kafka.common.config.AbstractConfig",
                        "logger.config.level = WARN",
                        ""),
                StandardCharsets.UTF_8);
        return p;
    }

    /** A free TCP port on the loopback address (free when asked: another process may take it before we bind it). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A cluster id as {@code kafka-storage random-uuid} prints it: a random UUID, URL-safe base64, no padding. */
    private static String clusterId() {
        UUID u = UUID.randomUUID();
        ByteBuffer b =
                ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }
}

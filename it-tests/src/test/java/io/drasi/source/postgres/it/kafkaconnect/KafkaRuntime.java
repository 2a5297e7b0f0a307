package io.drasi.source.postgres.it.kafkaconnect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the build put what a Kafka Connect installation consists of: the it-kafka-runtime module's
 * {@code target/kafka.classpath} (Kafka's {@code libs/}: broker and Connect runtime, resolved from Maven Central) and
 * {@code target/connect-plugins/debezium-connector-postgres/} (Debezium's published PostgreSQL connector plugin
 * archive, unpacked); and this project's plugin directory, {@code kafka-connect/target/drasi-kafka-connect-plugin/}.
 * All are built before it-tests in the reactor.
 */
final class KafkaRuntime {

    private static final Path RUNTIME =
            Path.of("..", "it-kafka-runtime", "target").toAbsolutePath().normalize();

    private KafkaRuntime() {}

    /** @return the class path of Kafka's broker and Connect worker */
    static String classPath() {
        Path file = RUNTIME.resolve("kafka.classpath");
        assertThat(file)
                .as("written by the it-kafka-runtime module (./mvnw -pl it-tests -am ... builds it)")
                .isRegularFile();
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return Debezium's PostgreSQL connector plugin directory, as its plugin archive unpacks */
    static Path debeziumPostgresPlugin() {
        Path dir = RUNTIME.resolve("connect-plugins").resolve("debezium-connector-postgres");
        assertThat(dir)
                .as("unpacked by the it-kafka-runtime module (debezium-connector-postgres:plugin:tar.gz)")
                .isDirectory();
        return dir;
    }

    /** @return this project's plugin directory (README "Kafka Connect": what to copy onto plugin.path) */
    static Path drasiPlugin() {
        Path dir = Path.of("..", "kafka-connect", "target", "drasi-kafka-connect-plugin")
                .toAbsolutePath()
                .normalize();
        assertThat(dir)
                .as("built by the kafka-connect module's package, before it-tests in the reactor")
                .isDirectory();
        return dir;
    }
}

package io.drasi.source.postgres.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README's lists of the Kafka Connect plugin's jars and of the jars for a Debezium Server's lib/ are the directories
 * `package` builds (kafka-connect is packaged before it-tests in the reactor): a user copying a directory knows
 * exactly what lands on the worker or the server.
 */
class KafkaConnectPluginJarsTest {

    @Test
    void readmeJarList_equalsPluginDirectory() throws IOException {
        assertReadmeListsDirectory("kafka-connect-jars", "drasi-kafka-connect-plugin");
    }

    /** The same for the jars of a Debezium Server's lib/ (README "Debezium Server"). */
    @Test
    void readmeDebeziumServerJarList_equalsItsDirectory() throws IOException {
        assertReadmeListsDirectory("debezium-server-jars", "drasi-debezium-server-lib");
    }

    private static void assertReadmeListsDirectory(String marker, String directory) throws IOException {
        Path dir = Path.of("..", "kafka-connect", "target", directory);
        assertThat(dir)
                .as("%s (built by the kafka-connect module's package)", directory)
                .isDirectory();
        List<String> jars;
        try (Stream<Path> s = Files.list(dir)) {
            jars = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jar"))
                    .map(n -> n.replaceAll("-\\d[\\w.]*(-SNAPSHOT)?\\.jar$", ""))
                    .sorted()
                    .toList();
        }
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(
                readme.indexOf("<!-- " + marker + ":start"), readme.indexOf("<!-- " + marker + ":end -->"));
        Matcher m = Pattern.compile("`([a-z0-9-]+)`").matcher(section);
        List<String> listed = m.results().map(r -> r.group(1)).sorted().toList();
        assertThat(listed).as("jars README lists").containsExactlyElementsOf(jars);
        assertThat(readme).contains("exactly these " + jars.size() + " jars");
    }
}

package io.drasi.source.postgres.kafka;

import io.drasi.source.postgres.mapping.value.PgValueConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps README's Debezium Server {@code application.properties} in sync with the code (DebeziumServerTest in
 * it-tests runs the real server with it): the value contract under {@code debezium.source.}, the SMT in host format,
 * string key and value formats.
 */
class ReadmeDebeziumServerTest {

    private static Properties readmeProperties() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int marker = readme.indexOf("<!-- debezium-server-properties");
        assertThat(marker).as("README's Debezium Server properties block").isNotNegative();
        int open = readme.indexOf("```properties\n", marker) + "```properties\n".length();
        Properties p = new Properties();
        p.load(new StringReader(readme.substring(open, readme.indexOf("```", open))));
        return p;
    }

    @Test
    void applicationProperties_valueContractSmtInHostFormatAndStringFormats() throws Exception {
        Properties p = readmeProperties();
        PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES.forEach((k, v) ->
                assertThat(p.getProperty("debezium.source." + k)).as("README debezium.source.%s", k).isEqualTo(v));
        assertThat(p.getProperty("debezium.format.value")).isEqualTo("simplestring");
        assertThat(p.getProperty("debezium.format.key")).isEqualTo("simplestring");
        assertThat(p.getProperty("debezium.sink.type")).isEqualTo("http");
        assertThat(p.getProperty("debezium.sink.http.url")).endsWith("/sources/" + p.getProperty("debezium.transforms.drasi.source.id") + "/events");
        assertThat(p.getProperty("debezium.sink.http.batch.enabled")).as("batch body is a bare array").isNull();
        assertThat(p.getProperty("debezium.source.connector.class")).isEqualTo("io.debezium.connector.postgresql.PostgresConnector");
        assertThat(p.getProperty("debezium.source.tombstones.on.delete")).isEqualTo("false");
        assertThat(p.getProperty("debezium.source.message.key.columns")).isEqualTo(p.getProperty("debezium.transforms.drasi.table.keys"));
        assertThat(p.getProperty("debezium.transforms")).isEqualTo("drasi");
        assertThat(p.getProperty("debezium.transforms.drasi.type")).isEqualTo(DrasiChangeTransform.class.getName());
        Map<String, String> smt = new HashMap<>();
        p.stringPropertyNames().stream().filter(k -> k.startsWith("debezium.transforms.drasi.") && !k.equals("debezium.transforms.drasi.type"))
                .forEach(k -> smt.put(k.substring("debezium.transforms.drasi.".length()), p.getProperty(k)));
        assertThat(DrasiTransformConfig.parse(smt).format()).isEqualTo(DrasiTransformConfig.Format.HOST);
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(smt);
        assertThat(t.config().names()).containsAll(smt.keySet());
    }
}

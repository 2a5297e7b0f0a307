package io.drasi.source.postgres.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Keeps the README's Kafka Connect section in sync with the code. */
class ReadmeKafkaConnectTest {

    private static String section() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("## Kafka Connect (scale-out)");
        assertThat(start).as("README section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 5);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void connectorJson_carriesTheValueContractAndConfiguresTheSmt() throws Exception {
        String s = section();
        int open = s.indexOf("```json\n");
        String json = s.substring(open + 8, s.indexOf("```", open + 8));
        JsonNode config = new ObjectMapper().readTree(json).get("config");
        PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES.forEach(
                (k, v) -> assertThat(config.path(k).asText(null))
                        .as("README connector config %s", k)
                        .isEqualTo(v));
        assertThat(config.get("transforms").asText()).isEqualTo("drasi");
        assertThat(config.get("transforms.drasi.type").asText()).isEqualTo(DrasiChangeTransform.class.getName());
        assertThat(config.get("transforms.drasi.table.keys").asText())
                .isEqualTo(config.get("message.key.columns").asText());
        Map<String, String> smtProps = new HashMap<>();
        config.properties().forEach(e -> {
            if (e.getKey().startsWith("transforms.drasi.") && !e.getKey().equals("transforms.drasi.type")) {
                smtProps.put(
                        e.getKey().substring("transforms.drasi.".length()),
                        e.getValue().asText());
            }
        });
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(smtProps); // throws on any key the SMT rejects
        assertThat(t.config().names()).containsAll(smtProps.keySet());
    }

    @Test
    void keyTable_documentsEveryConfigKey() throws Exception {
        String s = section();
        for (String key : DrasiTransformConfig.CONFIG_DEF.names()) {
            assertThat(s).as("README documents %s", key).contains("| `" + key + "` |");
        }
    }
}

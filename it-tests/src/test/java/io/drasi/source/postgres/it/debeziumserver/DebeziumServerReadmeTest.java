package io.drasi.source.postgres.it.debeziumserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.kafka.DrasiChangeTransform;
import io.drasi.source.postgres.kafka.DrasiTransformConfig;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * README's Debezium Server {@code application.properties} against the code, without a server (not tagged: runs
 * when {@code debezium-server} is left out too): the value contract under {@code debezium.source.}, the SMT in host
 * format with valid keys, string key and value formats, one POST per event.
 */
class DebeziumServerReadmeTest {

    @Test
    void applicationProperties_valueContractSmtInHostFormatAndStringFormats() throws Exception {
        Map<String, String> p = DebeziumServerTest.readmeProperties();
        PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES.forEach((k, v) -> assertThat(p.get("debezium.source." + k))
                .as("README debezium.source.%s", k)
                .isEqualTo(v));
        assertThat(p)
                .containsEntry("debezium.format.value", "simplestring")
                .containsEntry("debezium.format.key", "simplestring")
                .containsEntry("debezium.sink.type", "http")
                .containsEntry("debezium.source.connector.class", "io.debezium.connector.postgresql.PostgresConnector")
                .containsEntry("debezium.source.tombstones.on.delete", "false")
                .containsEntry("debezium.transforms", "drasi")
                .containsEntry("debezium.transforms.drasi.type", DrasiChangeTransform.class.getName())
                .doesNotContainKey("debezium.sink.http.batch.enabled"); // its body is a bare JSON array
        assertThat(p.get("debezium.sink.http.url"))
                .endsWith("/sources/" + p.get("debezium.transforms.drasi.source.id") + "/events");
        assertThat(p.get("debezium.source.message.key.columns"))
                .isEqualTo(p.get("debezium.transforms.drasi.table.keys"));
        Map<String, String> smt = new HashMap<>();
        p.forEach((k, v) -> {
            if (k.startsWith("debezium.transforms.drasi.") && !k.equals("debezium.transforms.drasi.type")) {
                smt.put(k.substring("debezium.transforms.drasi.".length()), v);
            }
        });
        assertThat(DrasiTransformConfig.parse(smt).format()).isEqualTo(DrasiTransformConfig.Format.HOST);
        DrasiChangeTransform<SourceRecord> t = new DrasiChangeTransform<>();
        t.configure(smt);
        assertThat(t.config().names()).containsAll(smt.keySet());
    }
}

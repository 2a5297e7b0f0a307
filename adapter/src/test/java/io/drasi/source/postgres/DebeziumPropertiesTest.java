package io.drasi.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.mapping.value.PgValueConverter;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DebeziumPropertiesTest {

    private static Properties props(PostgresSourceConfig config) {
        return DebeziumProperties.of("pg-source", config,
                List.of(new Preflight.ResolvedTable(TableName.parse("sales.\"Odd.Table\""), List.of("id"), List.of("id"), 'd')),
                PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES);
    }

    @Test
    void of_everyKeyTheAdapterSets_cannotBeOverriddenByPassthrough() {
        PostgresSourceConfig config = PostgresSourceConfig.builder().withDatabase("db").withUser("u").withPassword("pw")
                .withTables("sales.\"Odd.Table\"").withInMemoryOffsets().build();
        Properties p = props(config);
        for (String key : p.stringPropertyNames()) {
            assertThat(DebeziumProperties.Passthrough.refuseKey(key, Naming.SNAKE))
                    .as("pass-through must refuse %s, which the adapter sets", key).isPresent();
        }
    }

    @Test
    void of_defaults_lowLatencyTransactionsTruncateAndQuotedTableRegex() {
        PostgresSourceConfig config = PostgresSourceConfig.builder().withDatabase("db").withUser("u").withPassword("pw")
                .withTables("sales.\"Odd.Table\"").withInMemoryOffsets().build();
        Properties p = props(config);
        assertThat(p.getProperty("poll.interval.ms")).isEqualTo("10");
        assertThat(p.getProperty("skipped.operations")).isEqualTo("none");
        assertThat(p.getProperty("provide.transaction.metadata")).isEqualTo("true");
        assertThat(p.getProperty("snapshot.mode")).isEqualTo("no_data");
        assertThat(p.getProperty("table.include.list")).isEqualTo("sales\\.Odd\\.Table");
        assertThat(p.getProperty("offset.storage")).endsWith("MemoryOffsetBackingStore");
        assertThat(p.getProperty("decimal.handling.mode")).isEqualTo("string");
        assertThat(DebeziumProperties.masked(p).getProperty("database.password")).isEqualTo("****");
    }
}

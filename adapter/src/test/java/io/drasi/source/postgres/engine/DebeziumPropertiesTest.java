package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.GeneratedColumns;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.config.Naming;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.TableId;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DebeziumPropertiesTest {

    private static Properties props(PostgresSourceConfig config) {
        return DebeziumProperties.of(
                "pg-source",
                config,
                List.of(new Preflight.ResolvedTable(
                        TableId.parseQualified("sales.\"Odd.Table\""), List.of("id"), List.of("id"), 'd')),
                PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES);
    }

    /** @return a config capturing only {@code sales."Odd.Table"}, the table {@link #props} resolves */
    private static PostgresSourceConfig oddTableConfig() {
        return PostgresSourceConfig.builder()
                .withDatabase("db")
                .withUser("u")
                .withPassword("pw")
                .withTables("sales.\"Odd.Table\"")
                .withInMemoryOffsets()
                .build();
    }

    @Test
    void of_everyKeyTheAdapterSets_cannotBeOverriddenByPassthrough() {
        Properties p = props(oddTableConfig());
        for (String key : p.stringPropertyNames()) {
            assertThat(DebeziumProperties.Passthrough.refuseKey(key, Naming.SNAKE))
                    .as("pass-through must refuse %s, which the adapter sets", key)
                    .isPresent();
        }
    }

    @Test
    void forOwnEngine_withoutOneRecordPerPoll_restUnchanged() {
        Properties adapter = props(oddTableConfig());
        Properties own = DebeziumProperties.forOwnEngine(adapter);
        assertThat(own.getProperty(PolledBatch.PROPERTY))
                .as("only BatchHandler unpacks a PolledBatch")
                .isNull();
        assertThat(adapter.getProperty(PolledBatch.PROPERTY))
                .as("the adapter's engine keeps it")
                .isEqualTo("true");
        own.setProperty(PolledBatch.PROPERTY, "true");
        assertThat(own).isEqualTo(adapter);
        assertThat(DebeziumProperties.endsTransactions(own)).isTrue();
    }

    @Test
    void endsTransactions_metadataOrTheAdaptersConnectorWithMarkers_only() {
        Properties p = props(oddTableConfig());
        assertThat(DebeziumProperties.endsTransactions(p)).isTrue();
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        assertThat(DebeziumProperties.endsTransactions(p))
                .as("Debezium's own connector queues no commit markers")
                .isFalse();
        p.setProperty("provide.transaction.metadata", "true");
        assertThat(DebeziumProperties.endsTransactions(p)).isTrue();
    }

    @Test
    void of_defaults_lowLatencyTransactionsTruncateAndQuotedTableRegex() {
        Properties p = props(oddTableConfig());
        assertThat(p.getProperty("connector.class")).isEqualTo(WakeOnDataPostgresConnector.class.getName());
        assertThat(p.getProperty("poll.interval.ms")).isEqualTo("1");
        assertThat(p.getProperty(WakeOnDataPostgresTask.LINGER_PROPERTY)).isEqualTo("10");
        assertThat(p.getProperty("skipped.operations")).isEqualTo("none");
        assertThat(p.getProperty(CommitMarkers.PROPERTY))
                .as("this Debezium version lets the task end transactions itself")
                .isEqualTo("true");
        assertThat(p.getProperty("provide.transaction.metadata"))
                .as("no BEGIN records and per-change transaction blocks built on the decoding thread")
                .isEqualTo("false");
        assertThat(p.getProperty("snapshot.mode")).isEqualTo("no_data");
        assertThat(p.getProperty("table.include.list")).isEqualTo("sales\\.Odd\\.Table");
        assertThat(p.getProperty("offset.storage")).endsWith("MemoryOffsetBackingStore");
        assertThat(p.getProperty("decimal.handling.mode")).isEqualTo("string");
        assertThat(p.getProperty("record.processing.threads"))
                .as("no SMT: one record thread, not one per core")
                .isEqualTo("1");
        assertThat(p.getProperty(PolledBatch.PROPERTY))
                .as("a poll reaches the engine as one record")
                .isEqualTo("true");
        assertThat(p.getProperty("transforms"))
                .as("a PolledBatch must not meet an SMT")
                .isNull();
        assertThat(DebeziumProperties.masked(p).getProperty("database.password"))
                .isEqualTo("****");
    }

    @Test
    void createPublicationSql_partitionedInheritanceAndGenerated_optionsByServerVersion() {
        PostgresSourceConfig config = PostgresSourceConfig.builder()
                .withDatabase("db")
                .withUser("u")
                .withTables("m", "par", "g")
                .withPublicationName("pub")
                .withInMemoryOffsets()
                .build();
        List<Preflight.ResolvedTable> tables = List.of(
                new Preflight.ResolvedTable(
                        TableId.parseQualified("m"),
                        List.of("id"),
                        List.of("id"),
                        'd',
                        Preflight.TableKind.PARTITIONED_ROOT,
                        List.of()),
                new Preflight.ResolvedTable(
                        TableId.parseQualified("par"),
                        List.of("id"),
                        List.of("id"),
                        'd',
                        Preflight.TableKind.INHERITANCE_PARENT,
                        List.of()),
                new Preflight.ResolvedTable(
                        TableId.parseQualified("g"),
                        List.of("id"),
                        List.of("id"),
                        'd',
                        Preflight.TableKind.PLAIN,
                        List.of("total")));
        assertThat(Preflight.createPublicationSql(config, tables, 150000))
                .isEqualTo("CREATE PUBLICATION \"pub\""
                        + " FOR TABLE \"public\".\"m\", ONLY \"public\".\"par\", \"public\".\"g\""
                        + " WITH (publish_via_partition_root = true)");
        assertThat(Preflight.createPublicationSql(config, tables, 180000))
                .endsWith(" WITH (publish_via_partition_root = true, publish_generated_columns = stored)");
        assertThat(Preflight.createPublicationSql(
                        config.toBuilder()
                                .withGeneratedColumns(GeneratedColumns.OMIT)
                                .build(),
                        tables.subList(2, 3),
                        180000))
                .isEqualTo("CREATE PUBLICATION \"pub\" FOR TABLE \"public\".\"g\"");
    }
}

package io.drasi.source.postgres.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.TableKeyConfig;
import io.drasi.source.postgres.config.ConfigFiles;
import io.drasi.source.postgres.core.SslMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Table-driven over every configuration key (the table is checked against README's generated key table,
 * so a new key without a row here fails): for the builder and both YAML formats, a document with an
 * invalid value for EVERY key at once, a wrong type for every key at once, and an unresolved
 * {@code ${VAR}} for every key at once each give ONE {@link ConfigurationException} whose problems name
 * every key, in the spelling of the format; plus unknown keys, and table names Debezium cannot handle.
 * (Single-problem wording is covered by the adapter's ConfigFilesTest / PostgresSourceBuilderTest.)
 */
class BadConfigTest {

    private static final String SECRET = "Hunter2-not-echoed";

    /**
     * One key: names, an invalid value and a value of the wrong type (YAML flow text), and the invalid value
     * applied through the builder (null when a key has no invalid value of the right type).
     */
    record Row(
            String snake,
            String camel,
            String invalidYaml,
            String wrongTypeYaml,
            Consumer<PostgresSourceBuilder> invalid) {}

    static final List<Row> ROWS = List.of(
            new Row("host", "host", "\"  \"", "[a, b]", b -> b.withHost(" ")),
            new Row("port", "port", "70000", "abc", b -> b.withPort(70000)),
            new Row("database", "database", "\"\"", "[x]", b -> b.withDatabase("")),
            new Row("user", "user", "\"\"", "{a: 1}", b -> b.withUser("")),
            new Row("password", "password", null, "[" + SECRET + "]", b -> b.withPassword(null)),
            new Row("tables", "tables", "[bad-name]", "users", b -> b.withTables("bad-name")),
            new Row("slot_name", "slotName", "Bad Slot", "[a]", b -> b.withSlotName("Bad Slot")),
            new Row("publication_name", "publicationName", "Bad-Name", "[a]", b -> b.withPublicationName("Bad-Name")),
            new Row("ssl_mode", "sslMode", "sometimes", "[a]", b -> b.withSslMode(null)),
            new Row(
                    "ssl_root_cert",
                    "sslRootCert",
                    "/nonexistent/ca.pem",
                    "[a]",
                    b -> b.withSslRootCert(Path.of("/nonexistent/ca.pem"))),
            new Row(
                    "table_keys",
                    "tableKeys",
                    null,
                    "users",
                    b -> b.withTableKeys(List.of(new TableKeyConfig("ghosts", List.of("id"))))),
            new Row("offset_store", "offsetStore", "\" \"", "[a]", b -> b.withOffsetStore(" ")),
            new Row("poll_interval", "pollInterval", "0", "soon", b -> b.withPollInterval(Duration.ZERO)),
            new Row("max_batch_size", "maxBatchSize", "0", "abc", b -> b.withMaxBatchSize(0)),
            new Row("max_queue_size", "maxQueueSize", "-1", "1.5", b -> b.withMaxQueueSize(-1)),
            new Row(
                    "heartbeat_interval",
                    "heartbeatInterval",
                    "-5",
                    "[a]",
                    b -> b.withHeartbeatInterval(Duration.ofSeconds(-5))),
            new Row(
                    "offset_flush_interval",
                    "offsetFlushInterval",
                    "-PT1S",
                    "[a]",
                    b -> b.withOffsetFlushInterval(Duration.ofSeconds(-1))),
            new Row("connect_timeout", "connectTimeout", "0", "[a]", b -> b.withConnectTimeout(Duration.ZERO)),
            new Row(
                    "reconnect_backoff_initial",
                    "reconnectBackoffInitial",
                    "0",
                    "[a]",
                    b -> b.withReconnectBackoffInitial(Duration.ZERO)),
            new Row(
                    "reconnect_backoff_max",
                    "reconnectBackoffMax",
                    "0",
                    "[a]",
                    b -> b.withReconnectBackoffMax(Duration.ZERO)),
            new Row("decimal_as_string", "decimalAsString", "maybe", "[a]", null),
            new Row("generated_columns", "generatedColumns", "sometimes", "[a]", b -> b.withGeneratedColumns(null)),
            new Row("unmappable_values", "unmappableValues", "skip", "[a]", b -> b.withUnmappableValues(null)),
            new Row("on_slot_loss", "onSlotLoss", "retry", "[a]", b -> b.withOnSlotLoss(null)),
            new Row("on_table_removed", "onTableRemoved", "drop", "[a]", b -> b.withOnTableRemoved(null)),
            new Row("foreign_key_relations", "foreignKeyRelations", "maybe", "[a]", null),
            new Row(
                    "relation_labels",
                    "relationLabels",
                    "{orders_customer_id_fkey: \"\"}",
                    "[a]",
                    b -> b.withRelationLabels(Map.of("orders_customer_id_fkey", ""))),
            new Row(
                    "debezium_properties",
                    "debeziumProperties",
                    "{driver.socketFactory: x}",
                    "[a]",
                    b -> b.withDebeziumProperty("driver.socketFactory", "x")));

    @Test
    void rows_coverEveryKeyOfTheReadmeTable() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path readme = Files.isRegularFile(here.resolve("../README.md"))
                ? here.resolve("../README.md")
                : here.resolve("README.md");
        String text = Files.readString(readme);
        String table = text.substring(text.indexOf("<!-- config-keys:start"), text.indexOf("<!-- config-keys:end"));
        Set<String> documented = new LinkedHashSet<>();
        Matcher m =
                Pattern.compile("(?m)^\\| `([a-z_]+)` \\| `([A-Za-z]+)` \\|").matcher(table);
        while (m.find()) {
            documented.add(m.group(1) + "/" + m.group(2));
        }
        assertThat(ROWS.stream().map(r -> r.snake() + "/" + r.camel()).toList()).containsExactlyElementsOf(documented);
    }

    private static String seed(Map<String, String> props) {
        StringBuilder sb = new StringBuilder("source_type: postgres\nproperties:\n");
        props.forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }

    private static String server(Map<String, String> props) {
        StringBuilder sb = new StringBuilder("kind: postgres\nid: bad\n");
        props.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }

    private static List<String> problems(String yaml) {
        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigFiles.parse(yaml, Map.of()));
        assertThat(e).as("one ConfigurationException for\n%s", yaml).isNotNull();
        assertThat(e.getMessage()).doesNotContain(SECRET);
        assertThat(e.getMessage()).as("the message lists every problem").contains(e.problems());
        return e.problems();
    }

    /** Every key is named (as {@code `key`} or {@code `key[...]`/{@code `key.x`}) by at least one problem. */
    private static void assertEveryKeyNamed(List<String> problems, List<String> keys, String what) {
        for (String key : keys) {
            assertThat(problems)
                    .as("%s: a problem naming `%s` in %s", what, key, problems)
                    .anyMatch(p ->
                            p.contains("`" + key + "`") || p.contains("`" + key + "[") || p.contains("`" + key + "."));
        }
    }

    private static Map<String, String> values(boolean snake, java.util.function.Function<Row, String> value) {
        Map<String, String> props = new java.util.LinkedHashMap<>();
        for (Row r : ROWS) {
            String v = value.apply(r);
            if (v != null) {
                props.put(snake ? r.snake() : r.camel(), v);
            }
        }
        return props;
    }

    @Test
    void everyKeyInvalid_bothYamlFormats_oneErrorNamingEveryKey() {
        List<Row> rows = ROWS.stream().filter(r -> r.invalidYaml() != null).toList();
        List<String> seedProblems = problems(seed(values(true, Row::invalidYaml)));
        assertEveryKeyNamed(seedProblems, rows.stream().map(Row::snake).toList(), "seed");
        List<String> serverProblems = problems(server(values(false, Row::invalidYaml)));
        assertEveryKeyNamed(serverProblems, rows.stream().map(Row::camel).toList(), "drasi-server");
        assertThat(serverProblems).hasSameSizeAs(seedProblems);
    }

    @Test
    void everyKeyOfWrongType_bothYamlFormats_oneProblemPerKey() {
        List<String> seedProblems = problems(seed(values(true, Row::wrongTypeYaml)));
        assertEveryKeyNamed(seedProblems, ROWS.stream().map(Row::snake).toList(), "seed");
        assertThat(seedProblems)
                .as("one problem per key, none derived: %s", seedProblems)
                .allMatch(p -> p.contains("expected") || p.contains("is required"));
        List<String> serverProblems = problems(server(values(false, Row::wrongTypeYaml)));
        assertEveryKeyNamed(serverProblems, ROWS.stream().map(Row::camel).toList(), "drasi-server");
        assertThat(serverProblems).hasSameSizeAs(seedProblems);
    }

    @Test
    void everyKeyFromUnresolvedVariable_oneErrorNamingEveryVariable() {
        Map<String, String> props = new java.util.LinkedHashMap<>();
        for (Row r : ROWS) {
            props.put(r.camel(), "${UNSET_" + r.snake().toUpperCase() + "}");
        }
        List<String> p = problems(server(props));
        for (Row r : ROWS) {
            assertThat(p)
                    .as("unresolved variable of %s in %s", r.camel(), p)
                    .anyMatch(x -> x.contains("UNSET_" + r.snake().toUpperCase()));
        }
    }

    @Test
    void unknownKeys_bothFormats_eachReportedWithTheOthers() {
        List<String> seedProblems = problems("source_type: postgres\nfoo: 1\nproperties:\n  database: d\n  user: u\n"
                + "  tables: [t]\n  hots: h\n  slotName: s\n  port: x\n");
        assertThat(seedProblems)
                .anyMatch(p -> p.contains("`foo`"))
                .anyMatch(p -> p.contains("`hots`") && p.contains("`host`"))
                .anyMatch(p -> p.contains("`slotName`") && p.contains("`slot_name`"))
                .anyMatch(p -> p.contains("`port`"));
        List<String> serverProblems = problems("kind: postgres\nid: x\ndatabase: d\nuser: u\ntables: [t]\n"
                + "properties: {host: h}\nslot_name: s\ndatabse: d\n");
        assertThat(serverProblems)
                .anyMatch(p -> p.contains("`properties:`"))
                .anyMatch(p -> p.contains("`slot_name`") && p.contains("`slotName`"))
                .anyMatch(p -> p.contains("`databse`"));
    }

    @Test
    void everyKeyInvalid_builder_oneErrorNamingEveryKey() {
        PostgresSourceBuilder b =
                PostgresSourceConfig.builder().withPassword(SECRET).withSslMode(SslMode.DISABLE);
        List<Row> rows = ROWS.stream().filter(r -> r.invalid() != null).toList();
        rows.forEach(r -> r.invalid().accept(b));
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class, b::build);
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).doesNotContain(SECRET);
        List<String> camel = new ArrayList<>(rows.stream().map(Row::camel).toList());
        assertEveryKeyNamed(e.problems(), camel, "builder");
    }

    @Test
    void tableNamesDebeziumCannotParse_refusedAtConfigTime() {
        List<String> p = problems(server(
                Map.of("database", "d", "user", "u", "tables", "['\"\"\"quoted\"\"\"', 'ok', '\"x\".\"\"\"y\"']")));
        assertThat(p).hasSize(2).allMatch(x -> x.contains("begins or ends with a double quote"));
    }
}

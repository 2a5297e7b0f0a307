package io.drasi.source.postgres.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.GeneratedColumns;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.TableKeyConfig;
import io.drasi.source.postgres.core.SslMode;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFilesTest {

    private static final String PASSWORD = "hunter2-secret";
    private static final Map<String, String> ENV = Map.of("PG_PASSWORD", PASSWORD);

    private static Path resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(ConfigFilesTest.class.getResource("/config/" + name), name)
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> problems(String yaml) {
        return problems(yaml, Map.of());
    }

    private static List<String> problems(String yaml, Map<String, String> env) {
        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigFiles.parse(yaml, env));
        assertThat(e).as("expected a ConfigurationException").isNotNull();
        return e.problems();
    }

    private static String seed(String properties) {
        return "source_type: postgres\nproperties:\n  database: app\n  user: repl\n  tables: [users]\n" + properties;
    }

    private static String server(String keys) {
        return "kind: postgres\nid: pg\ndatabase: app\nuser: repl\ntables: [users]\n" + keys;
    }

    // ------------------------------------------------------------------ both formats

    @Test
    void load_nativeCrateExample_parsesWithSeedValues() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.load(resource("seed-native-example.yaml"), Map.of());
        PostgresSourceConfig c = loaded.config();

        assertThat(loaded.format()).isEqualTo(ConfigFiles.Format.SEED);
        assertThat(loaded.sourceId()).isEmpty();
        assertThat(c.host()).isEqualTo("db.example.com");
        assertThat(c.password()).isEqualTo("secret");
        assertThat(c.tables()).containsExactly("users", "orders");
        assertThat(c.tableKeys())
                .containsExactly(TableKeyConfig.of("users", "id"), TableKeyConfig.of("orders", "order_id"));
        assertThat(c.sslMode()).isEqualTo(SslMode.PREFER);
    }

    @Test
    void load_seedAndServerFiles_equalConfigs() {
        ConfigFiles.LoadedConfig seed = ConfigFiles.load(resource("seed.yaml"), ENV);
        ConfigFiles.LoadedConfig server = ConfigFiles.load(resource("server.yaml"), ENV);

        assertThat(seed.format()).isEqualTo(ConfigFiles.Format.SEED);
        assertThat(server.format()).isEqualTo(ConfigFiles.Format.DRASI_SERVER);
        assertThat(seed.sourceId()).contains("pg-source");
        assertThat(server.sourceId()).contains("pg-source");
        assertThat(seed.config()).isEqualTo(server.config());
    }

    @Test
    void load_seedFile_everyKeyApplied() {
        PostgresSourceConfig c = ConfigFiles.load(resource("seed.yaml"), ENV).config();

        PostgresSourceConfig expected = PostgresSourceConfig.builder()
                .withHost("db.example.com")
                .withPort(5433)
                .withDatabase("production")
                .withUser("replication_user")
                .withPassword(PASSWORD)
                .withTables("users", "sales.orders", "\"Odd Schema\".\"T\"")
                .withSlotName("drasi_slot_1")
                .withPublicationName("drasi_pub_1")
                .withSslMode(SslMode.REQUIRE)
                .withTableKey("users", "id")
                .withTableKey("sales.orders", "order_id", "line_no")
                .withOffsetStore("/var/lib/drasi/{sourceId}.offsets")
                .withPollInterval(Duration.ofMillis(20))
                .withMaxBatchSize(1000)
                .withMaxQueueSize(4000)
                .withHeartbeatInterval(Duration.ofSeconds(30))
                .withOffsetFlushInterval(Duration.ofSeconds(1))
                .withConnectTimeout(Duration.ofSeconds(5))
                .withReconnectBackoffInitial(Duration.ofMillis(500))
                .withReconnectBackoffMax(Duration.ofMinutes(1))
                .withDecimalAsString(true)
                .withGeneratedColumns(GeneratedColumns.OMIT)
                .withUnmappableValues(io.drasi.source.postgres.mapping.value.UnmappableValues.TEXT)
                .withDebeziumProperties(
                        Map.of("max.queue.size.in.bytes", "104857600", "status.update.interval.ms", "1000"))
                .build();
        assertThat(c).isEqualTo(expected);
    }

    @Test
    void parse_minimalServer_defaultsAndAutoStart() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.parse(server("autoStart: false\n"), Map.of());

        assertThat(loaded.autoStart()).isFalse();
        assertThat(loaded.config())
                .isEqualTo(PostgresSourceConfig.builder()
                        .withDatabase("app")
                        .withUser("repl")
                        .withTables("users")
                        .build());
    }

    @Test
    void parse_seedWithIdAndAutoStart_returnsThem() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.parse("id: my-src\nauto_start: true\n" + seed(""), Map.of());

        assertThat(loaded.sourceId()).contains("my-src");
        assertThat(loaded.autoStart()).isTrue();
    }

    // ------------------------------------------------------------------ environment

    @Test
    void parse_envVarSet_substituted() {
        PostgresSourceConfig c = ConfigFiles.parse(
                        seed("  host: ${PGHOST}\n  port: ${PGPORT}\n"),
                        Map.of("PGHOST", "db.internal", "PGPORT", "6432"))
                .config();

        assertThat(c.host()).isEqualTo("db.internal");
        assertThat(c.port()).isEqualTo(6432);
    }

    @Test
    void parse_envVarUnsetWithDefault_defaultUsed() {
        PostgresSourceConfig c = ConfigFiles.parse(
                        server("host: ${PGHOST:-fallback.local}\nport: ${PGPORT:-5555}\n"), Map.of())
                .config();

        assertThat(c.host()).isEqualTo("fallback.local");
        assertThat(c.port()).isEqualTo(5555);
    }

    @Test
    void parse_envVarSetWithDefault_valueWins() {
        assertThat(ConfigFiles.parse(server("host: ${PGHOST:-fallback}\n"), Map.of("PGHOST", "real"))
                        .config()
                        .host())
                .isEqualTo("real");
    }

    @Test
    void parse_envVarUnresolved_problemNamesVariableAndKey() {
        assertThat(problems(server("password: ${PG_PASSWORD}\nhost: ${PGHOST}\n")))
                .containsExactly(
                        "`password`: environment variable `PG_PASSWORD` is not set and has no default; set it, or "
                                + "write "
                                + "${PG_PASSWORD:-default} to give a default",
                        "`host`: environment variable `PGHOST` is not set and has no default; set it, or write "
                                + "${PGHOST:-default} to give a default");
    }

    @Test
    void parse_seedEnvVarInsideListAndId_substituted() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.parse(
                "source_type: postgres\nid: ${SRC:-pg}\nproperties:\n"
                        + "  database: d\n  user: u\n  tables: [\"${SCHEMA}.users\"]\n",
                Map.of("SCHEMA", "crm"));

        assertThat(loaded.sourceId()).contains("pg");
        assertThat(loaded.config().tables()).containsExactly("crm.users");
    }

    @Test
    void parse_serverWholeValueReference_resolvedInsideListButIdLiteral() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.parse(
                "kind: postgres\nid: ${SRC:-pg}\ndatabase: d\nuser: u\n" + "tables: [\"${T}\"]\n",
                Map.of("T", "crm.users"));

        assertThat(loaded.sourceId()).contains("${SRC:-pg}");
        assertThat(loaded.config().tables()).containsExactly("crm.users");
    }

    @Test
    void parse_serverEmbeddedReference_keptLiteralAsDrasiServerDoes() {
        PostgresSourceConfig c = ConfigFiles.parse(server("password: \"pa${X}ss\"\nhost: db-${X}\n"), Map.of("X", "1"))
                .config();

        assertThat(c.password()).isEqualTo("pa${X}ss");
        assertThat(c.host()).isEqualTo("db-${X}");
    }

    @Test
    void parse_serverSetButEmptyVariable_winsOverDefaultAsDrasiServerDoes() {
        PostgresSourceConfig c = ConfigFiles.parse(server("password: ${PW:-fallback}\n"), Map.of("PW", ""))
                .config();
        PostgresSourceConfig seed = ConfigFiles.parse(seed("  password: ${PW:-fallback}\n"), Map.of("PW", ""))
                .config();

        assertThat(c.password()).isEmpty();
        assertThat(seed.password()).isEqualTo("fallback");
    }

    @Test
    void parse_serverStructuredEnvironmentVariable_resolved() {
        PostgresSourceConfig c = ConfigFiles.parse(
                        server("port:\n  kind: EnvironmentVariable\n  name: PGP\n"
                                + "  default: \"6000\"\nhost:\n  kind: EnvironmentVariable\n  name: PGH\n"),
                        Map.of("PGH", "h1"))
                .config();

        assertThat(c.port()).isEqualTo(6000);
        assertThat(c.host()).isEqualTo("h1");
    }

    @Test
    void parse_serverStructuredReferenceProblems_namedWithFix() {
        assertThat(problems(server("password:\n  kind: Secret\n  name: db-password\nhost:\n  kind: Vault\n"
                        + "port:\n  kind: EnvironmentVariable\n  name: NOPE\n")))
                .containsExactly(
                        "`password`: `kind: Secret` references drasi-server's secret store, which this source does "
                                + "not have; "
                                + "pass the value through an environment variable instead, e.g. `password: "
                                + "${DB_PASSWORD}`",
                        "`host`: unknown reference kind 'Vault'; use `kind: EnvironmentVariable` (with `name` and "
                                + "optional "
                                + "`default`) or ${VAR}",
                        "`port`: environment variable `NOPE` is not set and has no default; set it, or write "
                                + "${NOPE:-default} "
                                + "to give a default");
    }

    // ------------------------------------------------------------------ unknown keys

    @Test
    void parse_misspeltSeedKey_suggestsClosest() {
        assertThat(problems(seed("  slot_nme: x\n")))
                .containsExactly("`slot_nme` is not a known key; did you mean `slot_name`?");
    }

    @Test
    void parse_misspeltServerKey_suggestsClosest() {
        assertThat(problems(server("pollIntervall: 5ms\nkindd: x\n")))
                .containsExactly(
                        "`pollIntervall` is not a known key; did you mean `pollInterval`?",
                        "`kindd` is not a known key; did you mean `kind`?");
    }

    @Test
    void parse_otherFormatsSpelling_explainsSpelling() {
        assertThat(problems(seed("  slotName: x\n")))
                .containsExactly(
                        "`slotName` is the drasi-server (camelCase) spelling; in the seed format write `slot_name`");
        assertThat(problems(server("slot_name: x\n")))
                .containsExactly(
                        "`slot_name` is the seed (snake_case) spelling; in the drasi-server format write `slotName`");
    }

    @Test
    void parse_unrelatedKey_listsValidKeys() {
        assertThat(problems(seed("  zzzzzzzzzz: 1\n")))
                .singleElement()
                .asString()
                .startsWith("`zzzzzzzzzz` is not a known key; valid keys: host, port, database");
    }

    @Test
    void parse_seedSettingAtTopLevel_saysPutUnderProperties() {
        assertThat(problems("source_type: postgres\nhost: x\nproperties:\n  database: d\n  user: u\n  tables: [t]\n"))
                .containsExactly(
                        "`host` belongs under `properties:` in the seed format; indent it below `properties:`");
    }

    @Test
    void parse_nestedTableKeyTypo_suggests() {
        assertThat(problems(seed("  table_keys:\n    - table: users\n      key_column: [id]\n")))
                .containsExactly(
                        "`table_keys[0].key_column`: unknown key; did you mean `key_columns`?",
                        "`table_keys[0].key_columns` is missing; list the key columns, e.g. [id]");
    }

    // ------------------------------------------------------------------ types and values

    @Test
    void parse_wrongTypes_eachNamesKeyAndExpectedType() {
        assertThat(problems(
                        seed("  port: abc\n  poll_interval: [1]\n  decimal_as_string: maybe\n  max_batch_size: 1.5\n"
                                + "  table_keys: users\n  debezium_properties: [a]\n")))
                .containsExactly(
                        "`port`: expected an integer, got \"abc\"",
                        "`poll_interval`: expected a duration (" + Durations.SYNTAX + "), got a list",
                        "`decimal_as_string`: expected true or false, got \"maybe\"",
                        "`max_batch_size`: expected an integer, got 1.5",
                        "`table_keys`: expected a list of {table, key_columns} entries, got \"users\"",
                        "`debezium_properties`: expected a mapping of names to values, got a list");
    }

    @Test
    void parse_tablesAsString_expectedList() {
        assertThat(problems(server("tables: users\n").replace("tables: [users]\n", "")))
                .containsExactly("`tables`: expected a list of strings (e.g. [a, b]), got \"users\"");
    }

    @Test
    void parse_emptyValue_saysNoValue() {
        assertThat(problems(seed("  host:\n")))
                .containsExactly("`host` has no value; expected a string (remove the line to use the default)");
    }

    @Test
    void parse_badSslMode_listsModes() {
        assertThat(problems(server("sslMode: sometimes\n")))
                .containsExactly("`sslMode`: expected one of disable, prefer, require, verify-ca, verify-full, got "
                        + "\"sometimes\"");
    }

    @Test
    void parse_sslModeVariants_accepted() {
        assertThat(ConfigFiles.parse(server("sslMode: DISABLE\n"), Map.of())
                        .config()
                        .sslMode())
                .isEqualTo(SslMode.DISABLE);
    }

    @ParameterizedTest
    @CsvSource({
        "10ms,10",
        "2s,2000",
        "1m,60000",
        "1h,3600000",
        "PT2S,2000",
        "pt0.5s,500",
        "250,250",
        "'\"250\"',250",
        "0,0"
    })
    void parse_durationForms_parsed(String yaml, long millis) {
        assertThat(ConfigFiles.parse(server("heartbeatInterval: " + yaml + "\n"), Map.of())
                        .config()
                        .heartbeatInterval())
                .isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"-5", "1.5s", "10 sec", "-PT1S", "PT", "1d"})
    void parse_invalidDuration_problem(String yaml) {
        assertThat(problems(server("heartbeatInterval: " + yaml + "\n")))
                .singleElement()
                .asString()
                .startsWith("`heartbeatInterval`: expected a duration");
    }

    @Test
    void parse_validationProblems_useFileSpelling() {
        assertThat(problems(seed("  max_batch_size: 100\n  max_queue_size: 100\n")))
                .containsExactly(
                        "`max_queue_size` (100) must be greater than `max_batch_size` (100); raise it, e.g. to 4 x "
                                + "the batch size");
    }

    @Test
    void parse_driverPropertyInYaml_rejected() {
        assertThat(problems(server("debeziumProperties:\n  driver.sslfactory: evil.Factory\n")))
                .singleElement()
                .asString()
                .startsWith("`debeziumProperties.driver.sslfactory`: driver and connection")
                .contains("CVE-2022-21724")
                .contains("sslMode, sslRootCert, connectTimeout")
                .doesNotContain("evil.Factory");
    }

    @Test
    void load_brokenSeedFile_allProblemsTogetherWithoutPassword() {
        ConfigurationException e = catchThrowableOfType(
                ConfigurationException.class, () -> ConfigFiles.load(resource("seed-broken.yaml"), Map.of()));

        assertThat(e.problems())
                .containsExactly(
                        "`port`: expected an integer, got \"abc\"",
                        "`slot_nme` is not a known key; did you mean `slot_name`?",
                        "`slotName` is the drasi-server (camelCase) spelling; in the seed format write `slot_name`",
                        "`ssl_mode`: expected one of disable, prefer, require, verify-ca, verify-full, got "
                                + "\"sometimes\"",
                        "`poll_interval`: expected a duration (" + Durations.SYNTAX + "), got \"soon\"",
                        "`database` is required; set it",
                        "`publication_name`: 'Bad-Name' is not a valid publication name; use a lower-case identifier "
                                + "of at most "
                                + "63 characters: a-z or _ first, then a-z, 0-9, _ or $ (e.g. drasi_publication)",
                        "`table_keys[0].key_columns`: column 'id' is listed twice; list each key column once",
                        "`table_keys[1]`: table 'ghosts' is not in `tables`; add it there or remove this entry",
                        "`table_keys[1].key_columns` is empty; list the column(s) that identify a row of 'ghosts'",
                        "`max_queue_size` (50) must be greater than `max_batch_size` (100); raise it, e.g. to 4 x "
                                + "the batch size",
                        "`debezium_properties.driver.socketFactory`: driver and connection properties cannot be "
                                + "passed through "
                                + "(arbitrary pgjdbc properties allow class-instantiation attacks, CVE-2022-21724); "
                                + "use the "
                                + "first-class keys host, port, database, user, password, ssl_mode, ssl_root_cert, "
                                + "connect_timeout");
        assertThat(e.getMessage()).doesNotContain("hunter2");
    }

    // ------------------------------------------------------------------ secrets

    @Test
    void parse_passwordOfWrongType_valueNotEchoed() {
        List<String> p = problems(server("password: [" + PASSWORD + "]\n"));

        assertThat(p).containsExactly("`password`: expected a string, got a list");
    }

    @Test
    void parse_numericPassword_acceptedAsText() {
        assertThat(ConfigFiles.parse(server("password: 123456\n"), Map.of())
                        .config()
                        .password())
                .isEqualTo("123456");
    }

    @Test
    void parse_syntaxErrorOnPasswordLine_passwordNotEchoed() {
        ConfigurationException e = catchThrowableOfType(
                ConfigurationException.class,
                () -> ConfigFiles.parse(server("password: \"" + PASSWORD + "\n"), Map.of()));

        assertThat(e.problems()).singleElement().asString().startsWith("YAML syntax error at line");
        assertThat(e.getMessage()).doesNotContain(PASSWORD);
    }

    @Test
    void toString_loadedConfig_passwordMasked() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.load(resource("server.yaml"), ENV);

        assertThat(loaded.toString()).doesNotContain(PASSWORD).contains("password=****");
    }

    // ------------------------------------------------------------------ file-level problems

    @Test
    void parse_wrongSourceType_problem() {
        assertThat(problems(seed("").replace("source_type: postgres", "source_type: mysql")))
                .containsExactly(
                        "`source_type` is 'mysql'; this loader reads PostgreSQL sources only, write `source_type: "
                                + "postgres`");
    }

    @Test
    void parse_wrongKind_problemTogetherWithOthers() {
        assertThat(problems(server("port: 0\n").replace("kind: postgres", "kind: mssql")))
                .containsExactly(
                        "`kind` is 'mssql'; this loader reads PostgreSQL sources only, write `kind: postgres`",
                        "`port` is 0; use a TCP port between 1 and 65535 (PostgreSQL's default is 5432)");
    }

    @Test
    void parse_serverWithoutId_problem() {
        assertThat(problems(server("").replace("id: pg\n", "")))
                .containsExactly("`id` is missing; the drasi-server format needs the source id, e.g. `id: pg-source`");
    }

    @Test
    void parse_neitherFormat_explainsBoth() {
        assertThat(problems("host: x\n")).singleElement().asString().startsWith("cannot tell the format");
    }

    @Test
    void parse_bothFormatMarkers_problem() {
        assertThat(problems("kind: postgres\nsource_type: postgres\n"))
                .singleElement()
                .asString()
                .startsWith("both");
    }

    @Test
    void parse_emptyDocument_problem() {
        assertThat(problems("")).singleElement().asString().startsWith("the configuration is empty");
        assertThat(problems("- a\n")).singleElement().asString().startsWith("the configuration must be a YAML mapping");
    }

    @Test
    void parse_missingProperties_problem() {
        assertThat(problems("source_type: postgres\n")).first().asString().startsWith("`properties:` is missing");
    }

    @Test
    void parse_duplicateKey_problem() {
        assertThat(problems(server("port: 1\nport: 2\n")))
                .singleElement()
                .asString()
                .startsWith("YAML syntax error")
                .contains("port");
    }

    @Test
    void load_missingFile_problemNamesFile() {
        assertThat(catchThrowableOfType(
                                ConfigurationException.class,
                                () -> ConfigFiles.load(Path.of("does-not-exist.yaml"), Map.of()))
                        .problems())
                .containsExactly("configuration file 'does-not-exist.yaml' does not exist");
    }
}

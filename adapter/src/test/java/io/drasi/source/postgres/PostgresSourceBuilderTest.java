package io.drasi.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.drasi.source.postgres.config.ConfigKeys;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.core.SslMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostgresSourceBuilderTest {

    private static final String PASSWORD = "s3cr3t-Pa55word";

    private static PostgresSourceBuilder minimal() {
        return PostgresSourceConfig.builder()
                .withDatabase("app")
                .withUser("repl")
                .withTables("users");
    }

    private static ConfigurationException problemsOf(PostgresSourceBuilder b) {
        return catchThrowableOfType(ConfigurationException.class, b::build);
    }

    // ------------------------------------------------------------------ defaults

    @Test
    void build_onlyRequiredSet_seedDefaults() {
        PostgresSourceConfig c = minimal().build();

        assertThat(c.host()).isEqualTo("localhost");
        assertThat(c.port()).isEqualTo(5432);
        assertThat(c.password()).isEmpty();
        assertThat(c.slotName()).isEqualTo("drasi_slot");
        assertThat(c.publicationName()).isEqualTo("drasi_publication");
        assertThat(c.sslMode()).isEqualTo(SslMode.PREFER);
        assertThat(c.sslRootCert()).isEmpty();
        assertThat(c.tableKeys()).isEmpty();
    }

    @Test
    void build_onlyRequiredSet_libraryDefaults() {
        PostgresSourceConfig c = minimal().build();

        assertThat(c.offsetStore()).isEqualTo("drasi-offsets/{sourceId}.offsets");
        assertThat(c.offsetsInMemory()).isFalse();
        assertThat(c.pollInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(c.maxBatchSize()).isEqualTo(2048);
        assertThat(c.maxQueueSize()).isEqualTo(8192);
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.offsetFlushInterval()).isZero();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.reconnectBackoffInitial()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.reconnectBackoffMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.decimalAsString()).isFalse();
        assertThat(c.debeziumProperties()).isEmpty();
    }

    @Test
    void build_allSetters_valuesKept() {
        PostgresSourceConfig c = PostgresSourceConfig.builder()
                .withHost("db")
                .withPort(6543)
                .withDatabase("d")
                .withUser("u")
                .withPassword("p")
                .withTables(List.of("a", "s.b"))
                .withSlotName("s1")
                .withPublicationName("p1")
                .withSslMode(SslMode.REQUIRE)
                .withTableKeys(List.of(TableKeyConfig.of("a", "x", "y")))
                .withOffsetStore(Path.of("/tmp/o.dat"))
                .withPollInterval(Duration.ofMillis(50))
                .withMaxBatchSize(10)
                .withMaxQueueSize(20)
                .withHeartbeatInterval(Duration.ZERO)
                .withOffsetFlushInterval(Duration.ofSeconds(1))
                .withConnectTimeout(Duration.ofSeconds(3))
                .withReconnectBackoffInitial(Duration.ofMillis(200))
                .withReconnectBackoffMax(Duration.ofSeconds(5))
                .withDecimalAsString(true)
                .withDebeziumProperties(Map.of("slot.max.retries", "3"))
                .build();

        assertThat(c.host()).isEqualTo("db");
        assertThat(c.port()).isEqualTo(6543);
        assertThat(c.tables()).containsExactly("a", "s.b");
        assertThat(c.tableKeys()).containsExactly(new TableKeyConfig("a", List.of("x", "y")));
        assertThat(c.offsetStoreFile("x")).contains(Path.of("/tmp/o.dat"));
        assertThat(c.heartbeatInterval()).isZero();
        assertThat(c.decimalAsString()).isTrue();
        assertThat(c.debeziumProperties()).containsEntry("slot.max.retries", "3");
    }

    @Test
    void build_builderChangedAfterwards_configUnchanged() {
        List<String> tables = new ArrayList<>(List.of("users"));
        PostgresSourceBuilder b =
                PostgresSourceConfig.builder().withDatabase("d").withUser("u").withTables(tables);
        PostgresSourceConfig c = b.build();

        tables.add("orders");
        b.withTables("other").withHost("elsewhere");

        assertThat(c.tables()).containsExactly("users");
        assertThat(c.host()).isEqualTo("localhost");
        assertThatThrownBy(() -> c.tables().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void withTables_varargsAndList_equalConfigs() {
        assertThat(minimal().withTables("a", "b").build())
                .isEqualTo(minimal().withTables(List.of("a", "b")).build());
    }

    @Test
    void withTableKey_calledTwice_appendsBoth() {
        PostgresSourceConfig c = minimal()
                .withTables("a", "b")
                .withTableKey("a", "id")
                .withTableKey("b", "k1", "k2")
                .build();

        assertThat(c.tableKeys()).containsExactly(TableKeyConfig.of("a", "id"), TableKeyConfig.of("b", "k1", "k2"));
    }

    @Test
    void toBuilder_unchanged_equalConfig() {
        PostgresSourceConfig c = minimal()
                .withPassword(PASSWORD)
                .withTableKey("users", "id")
                .withDebeziumProperty("slot.max.retries", "5")
                .withInMemoryOffsets()
                .build();

        PostgresSourceConfig copy = c.toBuilder().build();

        assertThat(copy).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(c.toBuilder().withPort(1).build()).isNotEqualTo(c);
    }

    // ------------------------------------------------------------------ required and all-at-once

    @Test
    void build_nothingSet_reportsDatabaseUserAndTablesTogether() {
        ConfigurationException e = problemsOf(PostgresSourceConfig.builder());

        assertThat(e.problems()).hasSize(3);
        assertThat(e.problems().get(0)).contains("`database` is required");
        assertThat(e.problems().get(1)).contains("`user` is required");
        assertThat(e.problems().get(2)).contains("`tables` is empty").contains("at least one table");
    }

    @Test
    void build_relationsWithResync_refusedNamingBothKeys() {
        ConfigurationException e = problemsOf(PostgresSourceConfig.builder()
                .withDatabase("d")
                .withUser("u")
                .withTables("users")
                .withOffsetStore(Path.of("x.offsets"))
                .withForeignKeyRelations(true)
                .withOnSlotLoss(SlotLossPolicy.RESYNC));

        assertThat(e.problems())
                .singleElement()
                .asString()
                .contains("`foreignKeyRelations`")
                .contains("`onSlotLoss`")
                .contains("not supported together");
    }

    @Test
    void build_tableRemovedDeleteWithMemoryOffsetsAndRelations_refusedNamingTheFix() {
        ConfigurationException e = problemsOf(PostgresSourceConfig.builder()
                .withDatabase("d")
                .withUser("u")
                .withTables("users")
                .withOffsetStore("memory")
                .withForeignKeyRelations(true)
                .withOnTableRemoved(TableRemovedPolicy.DELETE));

        assertThat(e.problems()).hasSize(2);
        assertThat(e.problems().get(0))
                .contains("`onTableRemoved` is delete but `offsetStore` is memory")
                .contains("give `offsetStore` a file path or set `onTableRemoved` to keep");
        assertThat(e.problems().get(1))
                .contains("`foreignKeyRelations` and `onTableRemoved: delete` are not supported together")
                .contains("set `onTableRemoved` to keep");
    }

    @Test
    void build_tableRemovedDefault_keepAndNoHeldElements() {
        PostgresSourceConfig c = PostgresSourceConfig.builder()
                .withDatabase("d")
                .withUser("u")
                .withTables("users")
                .build();

        assertThat(c.onTableRemoved()).isEqualTo(TableRemovedPolicy.KEEP);
        assertThat(c.keepsHeldElements()).isFalse();
        assertThat(PostgresSourceConfig.builder()
                        .withDatabase("d")
                        .withUser("u")
                        .withTables("users")
                        .withOnTableRemoved(TableRemovedPolicy.DELETE)
                        .build()
                        .keepsHeldElements())
                .isTrue();
    }

    @Test
    void build_manyMistakes_allReportedInOneExceptionOnePerLine() {
        PostgresSourceBuilder b = PostgresSourceConfig.builder()
                .withPort(70000)
                .withSlotName("Bad-Slot")
                .withPublicationName("9pub")
                .withTables("users", "users")
                .withTableKey("users", "id", "id")
                .withSslMode(SslMode.VERIFY_FULL)
                .withMaxBatchSize(10)
                .withMaxQueueSize(10)
                .withPollInterval(Duration.ZERO)
                .withDebeziumProperty("driver.socketFactory", "x");

        ConfigurationException e = problemsOf(b);

        assertThat(e.problems()).hasSize(11);
        assertThat(e.getMessage()).startsWith("Invalid PostgreSQL source configuration (11 problems):");
        assertThat(e.getMessage().lines().skip(1)).hasSize(11).allMatch(l -> l.startsWith("  - `"));
        assertThat(e).isInstanceOf(DrasiPostgresException.class);
    }

    @Test
    void build_nullsEverywhere_reportedNotThrown() {
        PostgresSourceBuilder b = minimal()
                .withHost(null)
                .withTables((List<String>) null)
                .withSslMode(null)
                .withPollInterval(null)
                .withDebeziumProperties(null)
                .withOffsetStore((String) null);

        ConfigurationException e = problemsOf(b);

        assertThat(e.problems())
                .anyMatch(p -> p.startsWith("`host` is null"))
                .anyMatch(p -> p.startsWith("`tables` is required"))
                .anyMatch(p -> p.startsWith("`sslMode` is null"))
                .anyMatch(p -> p.startsWith("`pollInterval` is null"))
                .anyMatch(p -> p.startsWith("`debeziumProperties` is null"))
                .anyMatch(p -> p.startsWith("`offsetStore` is null"))
                .hasSize(6);
    }

    @Test
    void validate_validBuilder_doesNotThrow() {
        minimal().validate();
    }

    // ------------------------------------------------------------------ single fields

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536})
    void build_portOutOfRange_reportsPortWithRange(int port) {
        assertThat(problemsOf(minimal().withPort(port)).problems())
                .containsExactly(
                        "`port` is " + port + "; use a TCP port between 1 and 65535 (PostgreSQL's default is 5432)");
    }

    @Test
    void build_blankHost_reportsHost() {
        assertThat(problemsOf(minimal().withHost(" ")).problems())
                .singleElement()
                .asString()
                .startsWith("`host` is empty");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Drasi",
                "drasi-slot",
                "drasi slot",
                "ñ",
                "a234567890123456789012345678901234567890123456789012345678901234"
            })
    void build_invalidSlotName_reportsSlotNameRule(String name) {
        assertThat(problemsOf(minimal().withSlotName(name)).problems())
                .singleElement()
                .asString()
                .startsWith("`slotName`: '" + name + "' is not a valid replication slot name")
                .contains("a-z, 0-9 and _");
    }

    @Test
    void build_slotNameOf63Chars_accepted() {
        assertThat(minimal().withSlotName("a".repeat(63)).build().slotName()).hasSize(63);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Drasi_Pub",
                "1pub",
                "drasi-pub",
                "a234567890123456789012345678901234567890123456789012345678901234"
            })
    void build_invalidPublicationName_reportsPublicationNameRule(String name) {
        assertThat(problemsOf(minimal().withPublicationName(name)).problems())
                .singleElement()
                .asString()
                .startsWith("`publicationName`: '" + name + "' is not a valid publication name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"users.", ".users", "a.b.c", "bad-name", "\"unterminated", "\"\"", "1abc", "\"a\"x"})
    void build_invalidTableName_reportsEntry(String table) {
        assertThat(problemsOf(minimal().withTables(table)).problems())
                .singleElement()
                .asString()
                .startsWith("`tables[0]`: '" + table + "' is not a valid table name");
    }

    @Test
    void build_sameTableTwiceInDifferentSpellings_reportsDuplicate() {
        assertThat(problemsOf(minimal().withTables("users", "public.USERS", "\"public\".\"users\""))
                        .problems())
                .hasSize(2)
                .allMatch(p -> p.contains("names the same table as entry 0"));
    }

    @Test
    void build_quotedNamesDifferingInCase_areDifferentTables() {
        PostgresSourceConfig c = minimal()
                .withTables("\"Users\"", "users", "\"Odd Schema\".\"T\"")
                .build();

        assertThat(c.qualifiedTables())
                .containsExactly("\"public\".\"Users\"", "\"public\".\"users\"", "\"Odd Schema\".\"T\"");
    }

    @Test
    void build_sslVerifyWithoutRootCert_reportsMissingCert() {
        for (SslMode mode : List.of(SslMode.VERIFY_CA, SslMode.VERIFY_FULL)) {
            assertThat(problemsOf(minimal().withSslMode(mode)).problems())
                    .singleElement()
                    .asString()
                    .contains("`sslMode` " + mode.value())
                    .contains("`sslRootCert` is not set");
        }
    }

    @Test
    void build_rootCertFileMissing_reportsPath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.pem");

        assertThat(problemsOf(minimal().withSslMode(SslMode.VERIFY_FULL).withSslRootCert(missing))
                        .problems())
                .singleElement()
                .asString()
                .contains(missing.toString())
                .contains("does not exist");
    }

    @Test
    void build_rootCertWithSslDisabled_reportsIgnoredCert(@TempDir Path dir) throws IOException {
        Path cert = Files.writeString(dir.resolve("ca.pem"), "x");

        assertThat(problemsOf(minimal().withSslMode(SslMode.DISABLE).withSslRootCert(cert))
                        .problems())
                .singleElement()
                .asString()
                .contains("would be ignored");
    }

    @Test
    void build_verifyFullWithExistingCert_builds(@TempDir Path dir) throws IOException {
        Path cert = Files.writeString(dir.resolve("ca.pem"), "x");

        PostgresSourceConfig c =
                minimal().withSslMode(SslMode.VERIFY_FULL).withSslRootCert(cert).build();

        assertThat(c.sslRootCert()).contains(cert);
    }

    @Test
    void build_keyColumnListedTwice_reportsColumn() {
        assertThat(problemsOf(minimal().withTableKey("users", "id", "tenant", "id"))
                        .problems())
                .containsExactly("`tableKeys[0].keyColumns`: column 'id' is listed twice; list each key column once");
    }

    @Test
    void build_sameTableKeyedTwice_reportsSecondEntry() {
        assertThat(problemsOf(minimal().withTableKey("users", "id").withTableKey("public.users", "email"))
                        .problems())
                .singleElement()
                .asString()
                .startsWith("`tableKeys[1]`: table 'public.users' already has key columns in entry 0");
    }

    @Test
    void build_emptyKeyColumns_reportsEmpty() {
        assertThat(problemsOf(minimal().withTableKey("users")).problems())
                .singleElement()
                .asString()
                .startsWith("`tableKeys[0].keyColumns` is empty");
    }

    @Test
    void build_blankKeyColumn_reportsBlank() {
        assertThat(problemsOf(minimal().withTableKey("users", " ")).problems())
                .singleElement()
                .asString()
                .contains("empty column name");
    }

    @Test
    void build_tableKeyForUnlistedTable_reportsNotInTables() {
        assertThat(problemsOf(minimal().withTableKey("orders", "id")).problems())
                .containsExactly(
                        "`tableKeys[0]`: table 'orders' is not in `tables`; add it there or remove this entry");
    }

    @Test
    void build_queueNotLargerThanBatch_reportsBoth() {
        assertThat(problemsOf(minimal().withMaxBatchSize(100).withMaxQueueSize(100))
                        .problems())
                .singleElement()
                .asString()
                .startsWith("`maxQueueSize` (100) must be greater than `maxBatchSize` (100)");
    }

    @Test
    void build_batchSizeZero_reportsBatchSize() {
        assertThat(problemsOf(minimal().withMaxBatchSize(0)).problems())
                .singleElement()
                .asString()
                .startsWith("`maxBatchSize` is 0; use at least 1");
    }

    @Test
    void build_zeroOrNegativeDurations_reportEach() {
        PostgresSourceBuilder b = minimal()
                .withPollInterval(Duration.ofNanos(1))
                .withConnectTimeout(Duration.ZERO)
                .withReconnectBackoffInitial(Duration.ofSeconds(-1))
                .withHeartbeatInterval(Duration.ofSeconds(-1))
                .withOffsetFlushInterval(Duration.ofMillis(-5));

        assertThat(problemsOf(b).problems())
                .anyMatch(p -> p.startsWith("`pollInterval` is PT0.000000001S; use at least 1ms"))
                .anyMatch(p -> p.startsWith("`connectTimeout` is 0; use at least 1ms"))
                .anyMatch(p -> p.startsWith("`reconnectBackoffInitial` is PT-1S"))
                .anyMatch(p -> p.startsWith("`heartbeatInterval` is PT-1S; use 0 to disable"))
                .anyMatch(p -> p.startsWith("`offsetFlushInterval` is PT-0.005S"));
    }

    @Test
    void build_zeroHeartbeatAndFlush_allowed() {
        PostgresSourceConfig c = minimal()
                .withHeartbeatInterval(Duration.ZERO)
                .withOffsetFlushInterval(Duration.ZERO)
                .build();

        assertThat(c.heartbeatInterval()).isZero();
    }

    @Test
    void build_backoffMaxBelowInitial_reportsMax() {
        assertThat(problemsOf(minimal()
                                .withReconnectBackoffInitial(Duration.ofSeconds(5))
                                .withReconnectBackoffMax(Duration.ofSeconds(2)))
                        .problems())
                .containsExactly(
                        "`reconnectBackoffMax` (2s) is shorter than `reconnectBackoffInitial` (5s); make it at least "
                                + "as long");
    }

    // ------------------------------------------------------------------ debezium pass-through

    @ParameterizedTest
    @ValueSource(
            strings = {"driver.socketFactory", "driver.sslfactory", "database.initial.statements", "database.hostname"})
    void build_driverOrDatabaseProperty_rejectedNamingCve(String key) {
        assertThat(problemsOf(minimal().withDebeziumProperty(key, "org.example.Evil"))
                        .problems())
                .singleElement()
                .asString()
                .startsWith("`debeziumProperties." + key + "`")
                .contains("CVE-2022-21724")
                .doesNotContain("org.example.Evil");
    }

    @Test
    void build_managedProperty_namesFirstClassKey() {
        assertThat(problemsOf(minimal().withDebeziumProperty("poll.interval.ms", "5"))
                        .problems())
                .containsExactly(
                        "`debeziumProperties.poll.interval.ms`: the adapter sets it; use `pollInterval` instead");
    }

    @Test
    void build_unlistedProperty_rejectedListingAllowed() {
        assertThat(problemsOf(minimal().withDebeziumProperty("snapshot.fetch.size", "5"))
                        .problems())
                .singleElement()
                .asString()
                .contains("not on the allow-list")
                .contains("max.queue.size.in.bytes");
    }

    @Test
    void build_dataLossProperty_rejectedWithReason() {
        assertThat(problemsOf(minimal().withDebeziumProperty("event.processing.failure.handling.mode", "skip"))
                        .problems())
                .singleElement()
                .asString()
                .contains("delivery guarantee");
    }

    @Test
    void build_allowListedPropertyWithBadNumber_reportsValue() {
        assertThat(problemsOf(minimal().withDebeziumProperty("status.update.interval.ms", "fast"))
                        .problems())
                .containsExactly(
                        "`debeziumProperties.status.update.interval.ms`: expected a whole number >= 0, got 'fast'");
    }

    @Test
    void build_allowListedProperties_accepted() {
        PostgresSourceConfig c = minimal()
                .withDebeziumProperty("max.queue.size.in.bytes", "1048576")
                .withDebeziumProperty("lsn.flush.timeout.action", "warn")
                .build();

        assertThat(c.debeziumProperties()).containsOnlyKeys("max.queue.size.in.bytes", "lsn.flush.timeout.action");
    }

    // ------------------------------------------------------------------ secrets

    @Test
    void toString_passwordSet_masked() {
        PostgresSourceConfig c = minimal().withPassword(PASSWORD).build();

        assertThat(c.toString())
                .doesNotContain(PASSWORD)
                .contains("password=****")
                .contains("host=localhost")
                .contains("pollInterval=10ms");
    }

    @Test
    void toString_noPassword_showsEmpty() {
        assertThat(minimal().build().toString()).contains("password=\"\"");
    }

    @Test
    void build_invalidConfigWithPassword_exceptionNeverContainsPassword() {
        ConfigurationException e =
                problemsOf(PostgresSourceConfig.builder().withPassword(PASSWORD).withPort(0));

        assertThat(e.getMessage()).doesNotContain(PASSWORD);
        assertThat(e.problems()).noneMatch(p -> p.contains(PASSWORD));
    }

    // ------------------------------------------------------------------ derived accessors

    @Test
    void offsetStoreFile_defaultTemplate_resolvesSourceIdRelative() {
        assertThat(minimal().build().offsetStoreFile("pg-source"))
                .contains(Path.of("drasi-offsets", "pg-source.offsets"));
    }

    @Test
    void offsetStoreFile_idWithPathCharacters_encodedAndInjective() {
        PostgresSourceConfig c = minimal().build();

        Path a = c.offsetStoreFile("../etc/x y").orElseThrow();
        Path b = c.offsetStoreFile("..%2Fetc%2Fx%20y").orElseThrow();

        assertThat(a.getParent()).isEqualTo(Path.of("drasi-offsets"));
        assertThat(a.getFileName().toString()).isEqualTo("..%2Fetc%2Fx%20y.offsets");
        assertThat(b).isNotEqualTo(a);
        assertThat(c.offsetStoreFile("..")).contains(Path.of("drasi-offsets", "%2E%2E.offsets"));
    }

    @Test
    void offsetStoreFile_inMemory_empty() {
        PostgresSourceConfig c = minimal().withInMemoryOffsets().build();

        assertThat(c.offsetsInMemory()).isTrue();
        assertThat(c.offsetStoreFile("pg")).isEmpty();
    }

    @Test
    void build_blankOffsetStore_reportsOffsetStore() {
        assertThat(problemsOf(minimal().withOffsetStore(" ")).problems())
                .singleElement()
                .asString()
                .startsWith("`offsetStore` is empty");
    }

    @Test
    void keyColumnsFor_configuredTable_returnsColumnsForAnySpelling() {
        PostgresSourceConfig c = minimal()
                .withTables("Users", "s.\"Orders\"")
                .withTableKey("USERS", "id")
                .withTableKey("s.\"Orders\"", "a", "b")
                .build();

        assertThat(c.keyColumnsFor("public", "users")).contains(List.of("id"));
        assertThat(c.keyColumnsFor("s", "Orders")).contains(List.of("a", "b"));
        assertThat(c.keyColumnsFor("s", "orders")).isEmpty();
    }

    @Test
    void builderMethods_everyKey_existsWithDocumentedName() {
        List<String> methods = Arrays.stream(PostgresSourceBuilder.class.getMethods())
                .map(m -> m.getName())
                .toList();

        assertThat(ConfigKeys.ALL).allSatisfy(k -> assertThat(methods).contains(k.builderMethod()));
    }
}

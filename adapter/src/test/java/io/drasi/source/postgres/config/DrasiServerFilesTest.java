package io.drasi.source.postgres.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.core.SslMode;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * drasi-server's own documented configurations, copied verbatim into {@code src/test/resources/config}
 * (each file names its origin and commit): a whole file and a single postgres entry load unchanged;
 * the source is chosen by id or as the only postgres entry; {@code bootstrapProvider} is served or
 * refused with the reason.
 */
class DrasiServerFilesTest {

    private static final Map<String, String> ENV = Map.of("DB_PASSWORD", "s3cret");

    private static Path resource(String name) {
        try {
            return Path.of(Objects.requireNonNull(DrasiServerFilesTest.class.getResource("/config/" + name), name)
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> problems(String yaml, String id) {
        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigFiles.parse(yaml, id, ENV));
        assertThat(e).as("expected a ConfigurationException").isNotNull();
        return e.problems();
    }

    private static final String PG = """
              - kind: postgres
                id: %s
                database: mydb
                user: postgres
                tables: [orders]
            """;

    private static PostgresSourceConfig readmeConfig() {
        return PostgresSourceConfig.builder()
                .withHost("localhost")
                .withPort(5432)
                .withDatabase("mydb")
                .withUser("postgres")
                .withPassword("s3cret")
                .withTables("orders", "customers")
                .withSlotName("drasi_slot")
                .withPublicationName("drasi_publication")
                .withSslMode(SslMode.PREFER)
                .withTableKey("orders", "id")
                .build();
    }

    // ------------------------------------------------------------------ item 1: whole files

    @Test
    void load_readmeWholeFile_loadsTheEntryUnchanged() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.load(resource("drasi-server-readme-postgres.yaml"), null, ENV);

        assertThat(loaded.format()).isEqualTo(ConfigFiles.Format.DRASI_SERVER_FILE);
        assertThat(loaded.sourceId()).contains("my-postgres");
        assertThat(loaded.autoStart()).isTrue();
        assertThat(loaded.config()).isEqualTo(readmeConfig());
    }

    @Test
    void load_readmeEntry_sameConfigAsWholeFile() {
        ConfigFiles.LoadedConfig entry =
                ConfigFiles.load(resource("drasi-server-readme-postgres-entry.yaml"), null, ENV);

        assertThat(entry.format()).isEqualTo(ConfigFiles.Format.DRASI_SERVER);
        assertThat(entry.sourceId()).contains("my-postgres");
        assertThat(entry.config()).isEqualTo(readmeConfig());
    }

    @Test
    void load_cdcCompleteExample_defaultsFromEnvAndOtherSectionsIgnored() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.load(
                resource("drasi-server-postgres-cdc-complete.yaml"), null, Map.of("POSTGRES_HOST", "db.internal"));

        assertThat(loaded.sourceId()).contains("app-database");
        assertThat(loaded.config())
                .isEqualTo(PostgresSourceConfig.builder()
                        .withHost("db.internal")
                        .withPort(5432)
                        .withDatabase("myapp")
                        .withUser("drasi_user")
                        .withPassword("drasi_password")
                        .withTables("users", "orders", "products")
                        .withSlotName("drasi_cdc_slot")
                        .withPublicationName("drasi_cdc_publication")
                        .withSslMode(SslMode.PREFER)
                        .withTableKey("users", "id")
                        .withTableKey("orders", "order_id")
                        .withTableKey("products", "sku")
                        .build());
        assertThat(loaded.notes())
                .singleElement()
                .asString()
                .startsWith("source app-database (sources[0]): `bootstrapProvider` (kind postgres) reads the source's"
                        + " own database db.internal:5432/myapp: served by this source's bootstrap");
    }

    @Test
    void load_cdcCompleteExample_byExplicitId() {
        assertThat(ConfigFiles.load(resource("drasi-server-postgres-cdc-complete.yaml"), "app-database", Map.of())
                        .sourceId())
                .contains("app-database");
    }

    @Test
    void load_envVarsExample_picksThePostgresSourceBesideHttpAndResolvesItsVariables() {
        ConfigurationException e = catchThrowableOfType(
                ConfigurationException.class,
                () -> ConfigFiles.load(
                        resource("drasi-server-with-env-vars.yaml"),
                        null,
                        Map.of("DB_HOST", "db", "DB_NAME", "prod", "DB_USER", "u", "DB_PASSWORD", "p")));

        // the documented example lists no tables; drasi-server would stream nothing, this source says so
        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("source my-postgres-db (sources[0]): `tables`" + " is empty; list at least one table");
    }

    @Test
    void load_envVarsExample_unsetVariablesOfThePostgresEntryOnly() {
        ConfigurationException e = catchThrowableOfType(
                ConfigurationException.class,
                () -> ConfigFiles.load(resource("drasi-server-with-env-vars.yaml"), null, Map.of()));

        // WEBHOOK_URL (a reaction) is not asked for: other sections are ignored
        assertThat(e.problems())
                .anySatisfy(p -> assertThat(p).contains("`DB_HOST` is not set"))
                .noneSatisfy(p -> assertThat(p).contains("WEBHOOK"));
    }

    @Test
    void parse_severalPostgresSourcesWithoutId_listsTheirIds() {
        assertThat(problems("sources:\n" + PG.formatted("a") + PG.formatted("b"), null))
                .containsExactly(
                        "the drasi-server file has 2 postgres sources: a, b; choose one with --source-id ID (CLI) or"
                                + " ConfigFiles.load(file, id) (library)");
    }

    @Test
    void parse_severalPostgresSourcesWithId_picksIt() {
        ConfigFiles.LoadedConfig loaded =
                ConfigFiles.parse("sources:\n" + PG.formatted("a") + PG.formatted("b"), "b", ENV);

        assertThat(loaded.sourceId()).contains("b");
    }

    @Test
    void parse_sourceUnderInstances_found() {
        String yaml = "instances:\n  - id: tenant-1\n    sources:\n"
                + PG.formatted("t1").indent(4);

        assertThat(ConfigFiles.parse(yaml, null, ENV).sourceId()).contains("t1");
    }

    @Test
    void parse_unknownId_listsTheSources() {
        assertThat(problems("sources:\n" + PG.formatted("a") + "  - kind: http\n    id: web\n", "nope"))
                .containsExactly("the drasi-server file has no source with id 'nope'; its sources: a (kind postgres, "
                        + "sources[0]),"
                        + " web (kind http, sources[1]). Pass the id of a kind: postgres source");
    }

    @Test
    void parse_idOfAnotherKind_refused() {
        assertThat(problems("sources:\n" + PG.formatted("a") + "  - kind: http\n    id: web\n", "web"))
                .containsExactly(
                        "source 'web' (sources[1]) is kind http; this reads PostgreSQL sources only. The file's "
                                + "postgres"
                                + " sources: a (kind postgres, sources[0])");
    }

    @Test
    void parse_noPostgresSource_saysSo() {
        assertThat(problems("host: 0.0.0.0\nsources:\n  - kind: mock\n    id: m\nqueries: []\n", null))
                .containsExactly("the drasi-server file has no `kind: postgres` source (its sources: m (kind mock, "
                        + "sources[0])); add one"
                        + " to `sources:`");
    }

    @Test
    void parse_problemInSelectedEntry_prefixedWithWhere() {
        assertThat(problems("sources:\n" + PG.formatted("a") + "    port: 0\n", null))
                .containsExactly("source a (sources[0]): `port` is 0; use a TCP port between 1 and 65535 (PostgreSQL's "
                        + "default is 5432)");
    }

    // ------------------------------------------------------------------ item 2: every field

    @Test
    void load_readmeEntry_notesSayWhatIsIgnoredAndWhy() {
        List<String> notes = ConfigFiles.load(resource("drasi-server-readme-postgres-entry.yaml"), null, ENV)
                .notes();

        assertThat(notes).hasSize(2);
        assertThat(notes.get(0))
                .startsWith("`bootstrapProvider` (kind postgres) reads the source's own database"
                        + " localhost:5432/mydb: served by this source's bootstrap from its replication "
                        + "slot's exported snapshot");
        assertThat(notes.get(1))
                .isEqualTo("`bootstrapProvider.publicationName` drasi_pub ignored (the source's is"
                        + " drasi_publication): the bootstrap reads the tables directly (COPY) inside the snapshot; the"
                        + " publication is the stream's");
    }

    @Test
    void parse_inlineProviderWithKindOnly_inheritsTheSource() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.parse(
                "sources:\n" + PG.formatted("a") + "    bootstrapProvider:\n      kind: postgres\n", null, ENV);

        assertThat(loaded.notes()).singleElement().asString().contains("localhost:5432/mydb: served by");
    }

    @Test
    void parse_providerElsewhere_refusedNamingBoth() {
        assertThat(problems(
                        "sources:\n" + PG.formatted("a") + "    bootstrapProvider:\n      kind: postgres\n"
                                + "      host: replica.internal\n",
                        null))
                .singleElement()
                .asString()
                .isEqualTo("source a (sources[0]): `bootstrapProvider` reads replica.internal:5432/mydb but the source "
                        + "streams"
                        + " localhost:5432/mydb: this source bootstraps from its own replication slot's "
                        + "snapshot of the"
                        + " database it streams (bootstrap and stream meet at one LSN), so it cannot "
                        + "bootstrap from"
                        + " another database; give the provider the source's host, port and database (or "
                        + "leave them"
                        + " out: an inline provider inherits them)");
    }

    @Test
    void parse_scriptfileProvider_readmeExample_refusedNamingWhy() {
        // README "Script File Bootstrap (`scriptfile`)", verbatim, under a postgres source
        String yaml = "sources:\n" + PG.formatted("a") + """
                    bootstrapProvider:
                      kind: scriptfile
                      filePaths:
                        - /data/initial_nodes.jsonl
                        - /data/initial_relations.jsonl
                """;

        assertThat(problems(yaml, null))
                .singleElement()
                .asString()
                .isEqualTo("source a (sources[0]):"
                        + " `bootstrapProvider` of kind scriptfile is not supported: this source bootstraps from its"
                        + " replication slot's snapshot of the database, it cannot load JSONL script files; remove"
                        + " `bootstrapProvider` (this source then still bootstraps from PostgreSQL when asked) or "
                        + "use `kind:"
                        + " postgres` pointing at the source's database");
    }

    @Test
    void parse_otherProviderKinds_refused() {
        for (String kind : List.of("platform", "noop", "application", "custom")) {
            assertThat(problems(
                            "sources:\n" + PG.formatted("a") + "    bootstrapProvider:\n      kind: " + kind + "\n",
                            null))
                    .singleElement()
                    .asString()
                    .contains("of kind " + kind + " is not supported: ");
        }
    }

    @Test
    void parse_providerByName_resolvedFromTopLevelList() {
        String yaml = "bootstrapProviders:\n  - kind: postgres\n    id: pg-boot\n    database: mydb\n    user: reader\n"
                + "    slotName: other\nsources:\n" + PG.formatted("a") + "    bootstrapProvider: pg-boot\n";

        assertThat(ConfigFiles.parse(yaml, null, ENV).notes())
                .extracting(n -> n.replaceFirst("(: served|: the|: this) .*", ""))
                .containsExactly(
                        "source a (sources[0]): `bootstrapProvider: pg-boot` (kind postgres) reads the source's own "
                                + "database"
                                + " localhost:5432/mydb",
                        "source a (sources[0]): `bootstrapProvider.user` 'reader' ignored (the source's is 'postgres')",
                        "source a (sources[0]): `bootstrapProvider.slotName` other ignored (the source's is "
                                + "drasi_slot)",
                        "source a (sources[0]): `bootstrapProvider.tables` [] narrower than the source's [orders]");
    }

    @Test
    void parse_providerNameMissing_refused() {
        assertThat(problems("sources:\n" + PG.formatted("a") + "    bootstrapProvider: nope\n", null))
                .singleElement()
                .asString()
                .contains("names an entry of the top-level `bootstrapProviders:` list, but there is none"
                        + " with `id: nope`");
        assertThat(problems("kind: postgres\nid: a\ndatabase: d\nuser: u\ntables: [t]\nbootstrapProvider: x\n", null))
                .singleElement()
                .asString()
                .contains("which a single source entry does not have");
    }

    @Test
    void parse_providerTableNotCaptured_refused_narrowerNoted() {
        assertThat(problems(
                        "sources:\n" + PG.formatted("a") + "    bootstrapProvider:\n      kind: postgres\n"
                                + "      tables: [orders, ghosts]\n",
                        null))
                .singleElement()
                .asString()
                .contains("lists [ghosts], which the source does not capture");
        ConfigFiles.LoadedConfig narrower = ConfigFiles.parse(
                "sources:\n" + PG.formatted("a").replace("[orders]", "[orders, items]")
                        + "    bootstrapProvider:\n      kind: postgres\n      tables: [orders]\n      "
                        + "tableKeys: [{table: orders, keyColumns: [x]}]\n      sslMode: require\n      password: "
                        + "other\n",
                null,
                ENV);
        assertThat(narrower.notes())
                .extracting(n -> n.replaceFirst(" ignored.*| narrower.*", ""))
                .containsExactly(
                        narrower.notes().get(0),
                        "source a (sources[0]): `bootstrapProvider.password`",
                        "source a (sources[0]): `bootstrapProvider.sslMode` require",
                        "source a (sources[0]): `bootstrapProvider.tables` [orders]",
                        "source a (sources[0]): `bootstrapProvider.tableKeys` [orders [x]]");
        assertThat(String.join("\n", narrower.notes())).doesNotContain("other");
    }

    @Test
    void parse_providerProblems_unknownFieldAndBadValue() {
        assertThat(problems(
                        "sources:\n" + PG.formatted("a") + "    bootstrapProvider:\n      kind: postgres\n"
                                + "      slotNam: x\n      port: abc\n",
                        null))
                .containsExactly(
                        "source a (sources[0]): `bootstrapProvider.slotNam` is not a field of a postgres bootstrap "
                                + "provider;"
                                + " did you mean `slotName`?",
                        "source a (sources[0]): `bootstrapProvider.port`: expected an integer, got \"abc\"");
        assertThat(problems("sources:\n" + PG.formatted("a") + "    bootstrapProvider: [1]\n", null))
                .singleElement()
                .asString()
                .contains("expected a provider mapping");
        assertThat(problems("sources:\n" + PG.formatted("a") + "    bootstrapProvider: {host: x}\n", null))
                .singleElement()
                .asString()
                .contains("of no kind is not supported: write `kind: postgres`");
    }

    @Test
    void parse_identityProviderAndAutoStartFalse_acceptedAndReported() {
        ConfigFiles.LoadedConfig loaded = ConfigFiles.parse(
                "sources:\n" + PG.formatted("a") + "    identityProvider: azure\n    autoStart: false\n", null, ENV);

        assertThat(loaded.autoStart()).isFalse();
        assertThat(loaded.notes()).singleElement().asString().contains("`identityProvider` ignored");
    }

    @Test
    void parse_snakeCaseCommonFields_refusedAsDrasiServerDoes() {
        assertThat(problems(
                        "sources:\n" + PG.formatted("a") + "    auto_start: false\n    bootstrap_provider: x\n"
                                + "    identity_provider: y\n",
                        null))
                .containsExactly(
                        "source a (sources[0]): `auto_start` is not a drasi-server field; write `autoStart`",
                        "source a (sources[0]): `bootstrap_provider` is not a drasi-server field; write "
                                + "`bootstrapProvider`",
                        "source a (sources[0]): `identity_provider` is not a drasi-server field; write "
                                + "`identityProvider`");
    }
}

package io.drasi.source.postgres.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.cli.DrasiPg;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23: drasi-server's own documented configurations, verbatim (the copies in
 * {@code adapter/src/test/resources/config/drasi-server-*.yaml} name their origin), through the real CLI
 * jar against a real PostgreSQL. Only the connection literals a file hard-codes (host, port, database,
 * user: the documented {@code localhost:5432/mydb} as {@code postgres}) are pointed at the test server;
 * values the files take from {@code ${VAR}} are given through the environment, as a user would.
 */
@ExtendWith(PostgresExtension.class)
class DrasiServerConfigCliTest {

    private static final Path CONFIGS = configs();

    private static Path configs() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p : List.of(
                here.resolve("../adapter/src/test/resources/config"),
                here.resolve("adapter/src/test/resources/config"))) {
            if (Files.isDirectory(p)) {
                return p.normalize();
            }
        }
        throw new AssertionError("adapter/src/test/resources/config not found from " + here);
    }

    @TempDir
    Path tmp;

    private CliProcess start(Map<String, String> env, String... args) throws IOException {
        return CliProcess.start(tmp, List.of(), env, args);
    }

    private CliProcess run(Map<String, String> env, String... args) throws Exception {
        CliProcess r = start(env, args);
        r.await(Duration.ofSeconds(90));
        return r;
    }

    /** The documented file, with its hard-coded connection literals pointed at {@code db}. */
    private Path documented(String name, PostgresServer db) throws IOException {
        String text = Files.readString(CONFIGS.resolve(name))
                .replace("host: localhost", "host: " + db.host())
                .replace("port: 5432", "port: " + db.port())
                .replace("database: mydb", "database: " + db.database())
                .replace("user: postgres", "user: " + db.user());
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static PostgresServer readmeDatabase(PostgresServer pg) {
        return pg.newDatabase("ds_readme", """
                CREATE TABLE orders (id int PRIMARY KEY, total numeric);
                CREATE TABLE customers (id int PRIMARY KEY, name text);
                INSERT INTO orders VALUES (1, 10.5);
                INSERT INTO customers VALUES (7, 'Ann');
                """);
    }

    @Test
    void readmeWholeFileAndEntry_checkPasses_streamBootstrapsAndStreams(PostgresServer pg) throws Exception {
        PostgresServer db = readmeDatabase(pg);
        Map<String, String> env = Map.of("DB_PASSWORD", db.password());
        try {
            for (String name :
                    List.of("drasi-server-readme-postgres.yaml", "drasi-server-readme-postgres-entry.yaml")) {
                CliProcess check =
                        run(env, "check", "--config", documented(name, db).toString());
                assertThat(check.process().exitValue())
                        .as(name + "\n" + check.stderr())
                        .isZero();
                assertThat(check.stderr())
                        .contains("`bootstrapProvider` (kind postgres) reads the source's own database")
                        .contains("`bootstrapProvider.publicationName` drasi_pub ignored");
            }

            CliProcess stream = start(
                    env,
                    "stream",
                    "--config",
                    documented("drasi-server-readme-postgres.yaml", db).toString(),
                    "--bootstrap",
                    "--max-changes",
                    "3",
                    "--offsets",
                    "memory");
            stream.awaitStderr("streaming until 3 changes", Duration.ofSeconds(90));
            db.execute("INSERT INTO orders VALUES (2, 20)");
            assertThat(stream.await(Duration.ofSeconds(60))).as(stream.stderr()).isZero();
            assertThat(stream.stdout())
                    .contains(
                            "\"element_id\":\"public:orders:1\"",
                            "\"element_id\":\"public:customers:7\"",
                            "\"element_id\":\"public:orders:2\"")
                    .contains("\"source_id\":\"my-postgres\"");
        } finally {
            db.dropSlotIfExists("drasi_slot");
        }
    }

    @Test
    void cdcCompleteExample_envFromProcess_checkPasses(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("ds_cdc", """
                CREATE TABLE users (id int PRIMARY KEY);
                CREATE TABLE orders (order_id int PRIMARY KEY);
                CREATE TABLE products (sku text PRIMARY KEY);
                """);
        Map<String, String> env = Map.of(
                "POSTGRES_HOST",
                db.host(),
                "POSTGRES_DB",
                db.database(),
                "POSTGRES_USER",
                db.user(),
                "POSTGRES_PASSWORD",
                db.password());

        CliProcess check = run(
                env,
                "check",
                "--config",
                documented("drasi-server-postgres-cdc-complete.yaml", db).toString());

        assertThat(check.process().exitValue()).as(check.stderr()).isZero();
        assertThat(check.stderr()).contains("source app-database (sources[0]): `bootstrapProvider` (kind postgres)");
    }

    @Test
    void severalPostgresSources_exit2ListingIds_sourceIdChooses(PostgresServer pg) throws Exception {
        PostgresServer db = readmeDatabase(pg);
        String entry = Files.readString(documented("drasi-server-readme-postgres.yaml", db))
                .lines()
                .dropWhile(l -> !l.startsWith("sources:"))
                .skip(1)
                .reduce("", (a, b) -> a + b + "\n");
        Path two = tmp.resolve("two.yaml");
        Files.writeString(
                two,
                "host: 0.0.0.0\nport: 8080\nsources:\n" + entry + entry.replace("id: my-postgres", "id: second")
                        + "queries: []\nreactions: []\n");
        Map<String, String> env = Map.of("DB_PASSWORD", db.password());

        CliProcess ambiguous = run(env, "check", "--config", two.toString());
        assertThat(ambiguous.process().exitValue()).isEqualTo(DrasiPg.USAGE);
        assertThat(ambiguous.stderr()).contains("2 postgres sources: my-postgres, second; choose one with --source-id");

        CliProcess chosen = run(env, "check", "--config", two.toString(), "--source-id", "second");
        assertThat(chosen.process().exitValue()).as(chosen.stderr()).isZero();
        assertThat(chosen.stderr()).contains("source second (sources[1])");
    }

    @Test
    void autoStartFalse_streamRefusesWithoutForce_streamsWithForce(PostgresServer pg) throws Exception {
        PostgresServer db = readmeDatabase(pg);
        Path f = documented("drasi-server-readme-postgres-entry.yaml", db);
        Files.writeString(f, Files.readString(f).replace("autoStart: true", "autoStart: false"));
        Map<String, String> env = Map.of("DB_PASSWORD", db.password());
        try {
            CliProcess refused = run(env, "stream", "--config", f.toString(), "--offsets", "memory");
            assertThat(refused.process().exitValue()).isEqualTo(DrasiPg.USAGE);
            assertThat(refused.stderr())
                    .contains("source my-postgres has `autoStart: false`")
                    .contains("pass --force to stream it anyway");

            CliProcess check = run(env, "check", "--config", f.toString());
            assertThat(check.stderr())
                    .contains("has autoStart: false; drasi-pg stream refuses to start it without --force");

            CliProcess forced = start(
                    env, "stream", "--config", f.toString(), "--force", "--max-changes", "1", "--offsets", "memory");
            forced.awaitStderr("streaming until 1 changes", Duration.ofSeconds(90));
            db.execute("INSERT INTO customers VALUES (8, 'Bo')");
            assertThat(forced.await(Duration.ofSeconds(60))).as(forced.stderr()).isZero();
            assertThat(forced.stdout()).contains("\"element_id\":\"public:customers:8\"");
        } finally {
            db.dropSlotIfExists("drasi_slot");
        }
    }
}

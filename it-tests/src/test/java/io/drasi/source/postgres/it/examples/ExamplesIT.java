package io.drasi.source.postgres.it.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drasi.source.postgres.it.cli.CliProcess;
import io.drasi.source.postgres.testing.Archives;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples ({@code examples/library-app}, {@code examples/own-debezium-engine}) as a user meets them: each is a
 * standalone Maven project that takes the project's artifacts through the BOM from a Maven repository; built here
 * with the project's own {@code mvnw} against the local repository this build installs into, then run with
 * {@code java -jar} against the test harness's PostgreSQL while this test writes rows; each must print every change
 * and exit 0 ({@code EXPECT_CHANGES}), and exit 1 when the changes do not come.
 *
 * <p>Not part of {@code ./mvnw verify} (the name ends in IT, which surefire does not pick up by default): the examples
 * need the project installed first. {@code .ci/examples} (run by {@code .ci/run}) installs it into an isolated local
 * repository and runs this test in the same build: {@code ./mvnw install -pl bom,it-tests -am -Dtest=ExamplesIT
 * -Dmaven.repo.local=target/examples-repo -Dmaven.repo.local.tail=~/.m2/repository ...}.
 */
@ExtendWith(PostgresExtension.class)
class ExamplesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();
    private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static String version;

    @AfterEach
    void stopExamples() throws InterruptedException {
        for (Process p : STARTED) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        STARTED.clear();
    }

    @BeforeAll
    static void projectInstalled() {
        version = required("drasi.project.version");
        Path repo = Archives.localMavenRepository();
        for (String artifact : List.of("drasi-source-postgres-bom", "drasi-source-postgres-adapter")) {
            Path pom = repo.resolve(
                    "io/drasi/postgres/" + artifact + "/" + version + "/" + artifact + "-" + version + ".pom");
            assertThat(pom)
                    .as(
                            "%s %s installed into the local repository %s; run .ci/examples (it installs the project"
                                    + " into an isolated repository and runs this test)",
                            artifact, version, repo)
                    .exists();
        }
    }

    @Test
    void examplePoms_standaloneWithThisReleaseThroughTheBom() throws IOException {
        for (String example : List.of("library-app", "own-debezium-engine")) {
            String pom =
                    Files.readString(ROOT.resolve("examples").resolve(example).resolve("pom.xml"));
            assertThat(pom)
                    .as("%s: no parent (not part of the repository's build)", example)
                    .doesNotContain("<parent>");
            assertThat(property(pom, "drasi.version"))
                    .as("%s: drasi.version is this release", example)
                    .isEqualTo(version);
            assertThat(pom)
                    .contains("<artifactId>drasi-source-postgres-bom</artifactId>")
                    .contains("<scope>import</scope>");
            assertThat(pom).contains("<maven.deploy.skip>true</maven.deploy.skip>");
            if (pom.contains("<debezium.version>")) {
                assertThat(property(pom, "debezium.version"))
                        .as("%s: the Debezium version the release is built with", example)
                        .isEqualTo(required("debezium.server.version"));
            }
        }
    }

    @Test
    void libraryApp_snapshotThenChanges_printedAsSeedJsonExitZero(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        List<String> summary = runWithChanges("library-app", pg, "ex_library", dir, ExamplesIT::seedChange, "items");
        assertSnapshotThenChanges(summary, "Insert", "Update", "Delete");
        assertThat(dir.resolve("library-app.offsets")).exists();
    }

    @Test
    void libraryApp_changesDoNotCome_exitOneNamingTheShortfall(PostgresServer pg, @TempDir Path dir) throws Exception {
        PostgresServer db = pg.newDatabase("ex_library_none");
        String slot = "ex_library_none_slot";
        db.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
        try {
            Example app = Example.start(build("library-app"), dir, db, slot, 1, 3, "items");
            assertThat(app.await()).as("exit code\n%s", app).isEqualTo(1);
            assertThat(app.stdoutLines()).isEmpty();
            assertThat(app.stderr()).contains("expected 1 changes within 3 s, got 0");
        } finally {
            db.dropSlotIfExists(slot);
        }
    }

    @Test
    void ownDebeziumEngine_snapshotThenChanges_printedAsHostEventsExitZero(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        List<String> summary =
                runWithChanges("own-debezium-engine", pg, "ex_engine", dir, ExamplesIT::hostEvent, "source.yaml");
        assertSnapshotThenChanges(summary, "insert", "update", "delete");
        assertThat(dir.resolve("own-engine.offsets")).exists();
    }

    /**
     * Table {@code items} with two rows in a new database, a drasi-server source file {@code source.yaml} for it in
     * {@code dir} (password {@code ${PGPASSWORD}}); starts the example with {@code EXPECT_CHANGES=5}, waits until it
     * streams, inserts, updates and deletes a row, and expects exit 0 with 5 JSON lines on stdout.
     *
     * @return {@code summary} of each printed line, in order
     */
    private static List<String> runWithChanges(
            String example,
            PostgresServer pg,
            String name,
            Path dir,
            Function<JsonNode, String> summary,
            String... args)
            throws Exception {
        PostgresServer db = pg.newDatabase(name);
        String slot = name + "_slot";
        db.execute(
                "CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items VALUES (1, 'one'), (2, 'two')");
        CliProcess.sourceYaml(
                dir.resolve("source.yaml"),
                db,
                "pg-source",
                db.user(),
                db.password() == null ? "" : "${PGPASSWORD}",
                slot,
                slot,
                List.of("items"));
        try {
            Example app = Example.start(build(example), dir, db, slot, 5, 120, args);
            app.awaitStderr("streaming items");
            awaitSlotActive(db, slot, app);
            db.execute("INSERT INTO items VALUES (3, 'three')");
            db.execute("UPDATE items SET name = 'uno' WHERE id = 1");
            db.execute("DELETE FROM items WHERE id = 2");
            assertThat(app.await()).as("exit code\n%s", app).isZero();
            assertThat(app.stderr()).contains("received 5 changes");
            List<String> out = new ArrayList<>();
            for (String line : app.stdoutLines()) {
                out.add(summary.apply(JSON.readTree(line)));
            }
            assertThat(out).as("stdout\n%s", app).hasSize(5);
            return out;
        } finally {
            db.dropSlotIfExists(slot);
        }
    }

    /** A seed JSON change (library-app's output) as {@code <type> <element_id>}. */
    private static String seedChange(JsonNode change) {
        JsonNode meta = change.has("element") ? change.path("element").path("metadata") : change.path("metadata");
        return change.path("type").asText() + " " + meta.path("element_id").asText();
    }

    /** A host event (own-debezium-engine's output) as {@code <operation> <id>}. */
    private static String hostEvent(JsonNode event) {
        JsonNode id = event.has("element") ? event.path("element").path("id") : event.path("id");
        return event.path("operation").asText() + " " + id.asText();
    }

    /**
     * The five lines of {@link #runWithChanges}, each {@code <op> <element id>} with the example's spelling of the
     * operations: the snapshot's two rows (in any order), then the insert, update and delete in commit order.
     */
    private static void assertSnapshotThenChanges(List<String> summary, String insert, String update, String delete) {
        assertThat(summary.subList(0, 2))
                .as("the snapshot")
                .containsExactlyInAnyOrder(insert + " public:items:1", insert + " public:items:2");
        assertThat(summary.subList(2, 5))
                .as("then the changes, in commit order")
                .containsExactly(insert + " public:items:3", update + " public:items:1", delete + " public:items:2");
    }

    /**
     * Builds an example once per JVM: {@code mvnw -f examples/<name>/pom.xml package} with this build's local
     * repository (and its tail), {@code -Ddrasi.version} = this project's version.
     *
     * @return the runnable jar ({@code target/<name>.jar}, dependencies in {@code target/lib/})
     */
    private static synchronized Path build(String name) throws Exception {
        Path built = BUILT.get(name);
        if (built != null) {
            return built;
        }
        Path log = Path.of("target", "examples-" + name + "-build.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        List<String> cmd = new ArrayList<>(List.of(
                ROOT.resolve("mvnw").toString(),
                "-B",
                "-q",
                "-f",
                ROOT.resolve("examples").resolve(name).resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + Archives.localMavenRepository(),
                "-Ddrasi.version=" + version));
        String tail = System.getProperty("maven.repo.local.tail");
        if (tail != null && !tail.isBlank()) {
            cmd.add("-Dmaven.repo.local.tail=" + tail);
        }
        cmd.addAll(List.of("clean", "package"));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("building examples/" + name + " took over 10 minutes; " + log);
        }
        assertThat(p.exitValue())
                .as("mvnw %s\n%s", String.join(" ", cmd), Files.readString(log))
                .isZero();
        Path jar = ROOT.resolve("examples").resolve(name).resolve("target").resolve(name + ".jar");
        assertThat(jar).exists();
        System.err.printf(
                "built examples/%s in %d s%n", name, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
        BUILT.put(name, jar);
        return jar;
    }

    private static void awaitSlotActive(PostgresServer db, String slot, Example app) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!"true"
                .equals(db.queryValue("SELECT coalesce(bool_or(active), false)::text FROM pg_replication_slots"
                        + " WHERE slot_name = '" + slot + "'"))) {
            if (System.nanoTime() > deadline || !app.process.isAlive()) {
                throw new AssertionError("slot " + slot + " never became active\n" + app);
            }
            Thread.sleep(50);
        }
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">")
                .matcher(pom);
        assertThat(m.find()).as("property %s", name).isTrue();
        return m.group(1).trim();
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        assertThat(v)
                .as("system property %s (set by it-tests/pom.xml; run through Maven)", property)
                .isNotBlank();
        return v;
    }

    /** One run of an example jar: {@code java -jar}, the connection in libpq's variables, output in files. */
    private record Example(Process process, Path out, Path err) {

        static Example start(
                Path jar, Path dir, PostgresServer db, String slot, int expect, int timeoutSeconds, String... args)
                throws IOException {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-jar",
                    jar.toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectOutput(dir.resolve("stdout").toFile())
                    .redirectError(dir.resolve("stderr").toFile());
            Map<String, String> env = pb.environment();
            env.put("PGHOST", db.host());
            env.put("PGPORT", Integer.toString(db.port()));
            env.put("PGDATABASE", db.database());
            env.put("PGUSER", db.user());
            if (db.password() != null) {
                env.put("PGPASSWORD", db.password());
            }
            env.put("DRASI_SLOT", slot);
            env.put("EXPECT_CHANGES", Integer.toString(expect));
            env.put("TIMEOUT_SECONDS", Integer.toString(timeoutSeconds));
            Process p = pb.start();
            STARTED.add(p);
            p.getOutputStream().close();
            return new Example(p, dir.resolve("stdout"), dir.resolve("stderr"));
        }

        int await() throws Exception {
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("the example did not exit within 3 minutes\n" + this);
            }
            return process.exitValue();
        }

        void awaitStderr(String text) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!stderr().contains(text)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new AssertionError("the example never logged '" + text + "'\n" + this);
                }
                Thread.sleep(50);
            }
        }

        List<String> stdoutLines() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.isBlank())
                    .toList();
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            try {
                return "--- stdout ---\n" + Files.readString(out) + "\n--- stderr ---\n" + stderr();
            } catch (IOException e) {
                return e.toString();
            }
        }
    }
}

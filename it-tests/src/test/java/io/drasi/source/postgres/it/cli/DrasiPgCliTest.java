package io.drasi.source.postgres.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.local.LocalPostgres;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresHarness;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the real shaded jar {@code cli/target/drasi-pg.jar} as a child process, for every command:
 * demo, bad config, check (all good, and wal_level=replica), stream with --max-changes, SIGTERM during
 * stream followed by a restart that loses and duplicates nothing, bootstrap, and --help.
 */
@ExtendWith(PostgresExtension.class)
class DrasiPgCliTest {

    private static final Pattern ELEMENT_ID = Pattern.compile("\"element_id\":\"([^\"]+)\"");

    @TempDir
    Path tmp;

    private CliProcess start(String... args) throws IOException {
        return CliProcess.start(tmp, List.of(), Map.of(), args);
    }

    private CliProcess run(Duration timeout, String... args) throws Exception {
        CliProcess r = start(args);
        r.await(timeout);
        return r;
    }

    private Path config(PostgresServer db, String slot, String... tables) throws IOException {
        return CliProcess.sourceYaml(
                Files.createTempFile(tmp, "source", ".yaml"),
                db,
                "cli-test",
                db.user(),
                "${CLI_TEST_PW:-" + db.password() + "}",
                slot,
                slot + "_pub",
                List.of(tables));
    }

    private static List<String> ids(List<String> lines) {
        List<String> ids = new ArrayList<>();
        for (String l : lines) {
            Matcher m = ELEMENT_ID.matcher(l);
            if (m.find()) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }

    @Test
    void demo_fiveSeconds_printsChangesAndRemovesEverything() throws Exception {
        CliProcess r = run(Duration.ofSeconds(60), "demo", "--duration", "5s", "--rows", "5");
        String err = r.stderr();
        assertThat(r.process().exitValue()).as(err).isZero();
        List<String> lines = r.lines();
        assertThat(lines).allMatch(l -> l.startsWith("{\"type\":\""));
        assertThat(lines).anyMatch(l -> l.contains("\"type\":\"Insert\"") && l.contains("public:order_items:"));
        assertThat(lines).anyMatch(l -> l.startsWith("{\"type\":\"Update\""));
        assertThat(lines).anyMatch(l -> l.startsWith("{\"type\":\"Delete\""));
        // events is partitioned: its rows (bootstrap and stream) carry the root's label and ids
        assertThat(lines).anyMatch(l -> l.contains("\"element_id\":\"public:events:") && l.contains("[\"events\"]"));
        assertThat(err).contains("summary:").contains("p50").contains("p99").contains("+ 15 bootstrap rows");
        Matcher m = Pattern.compile("data (/\\S+drasi-pg-demo-\\S+?)\\)").matcher(err);
        assertThat(m.find()).as("data dir named on stderr:\n" + err).isTrue();
        String dataDir = m.group(1);
        assertThat(Path.of(dataDir)).doesNotExist();
        assertThat(ProcessHandle.allProcesses()
                        .map(p -> p.info().commandLine().orElse(""))
                        .filter(c -> c.contains(dataDir)))
                .isEmpty();
    }

    @Test
    void badConfig_exit2_listingEveryProblem() throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(
                bad,
                String.join(
                        "\n",
                        "source_type: postgres",
                        "properties:",
                        "  host: localhost",
                        "  port: 99999",
                        "  databse: shop",
                        "  tables: []",
                        ""));
        CliProcess r = run(Duration.ofSeconds(30), "stream", "--config", bad.toString());
        assertThat(r.process().exitValue()).isEqualTo(2);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr())
                .contains("bad configuration (5 problems)")
                .contains("`databse` is not a known key; did you mean `database`?")
                .contains("`database` is required")
                .contains("`user` is required")
                .contains("`port` is 99999")
                .contains("`tables` is empty")
                .doesNotContain("\tat ");

        CliProcess usage = run(Duration.ofSeconds(30), "stream");
        assertThat(usage.process().exitValue()).isEqualTo(2);
        assertThat(usage.stderr()).contains("Missing required option: '--config=FILE'");

        CliProcess missing = run(
                Duration.ofSeconds(30),
                "check",
                "--config",
                tmp.resolve("nope.yaml").toString());
        assertThat(missing.process().exitValue()).isEqualTo(2);
        assertThat(missing.stderr()).contains("nope.yaml does not exist");
    }

    @Test
    void check_readyDatabase_exit0_andTableWithoutKey_exit1WithFix(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("cli_check");
        db.execute("CREATE TABLE users (id int PRIMARY KEY, name text)", "CREATE TABLE logs (msg text)");
        CliProcess ok = run(
                Duration.ofSeconds(30),
                "check",
                "--config",
                config(db, "cli_check_slot", "users").toString());
        assertThat(ok.process().exitValue()).as(ok.stdout() + ok.stderr()).isZero();
        assertThat(ok.lines())
                .allMatch(l -> l.startsWith("✓ "))
                .anyMatch(l -> l.startsWith("✓ wal_level"))
                .anyMatch(l -> l.startsWith("✓ table \"public\".\"users\""))
                .anyMatch(l -> l.startsWith("✓ replication slot cli_check_slot"));

        CliProcess bad = run(
                Duration.ofSeconds(30),
                "check",
                "--config",
                config(db, "cli_check_slot", "users", "logs").toString());
        assertThat(bad.process().exitValue()).isEqualTo(1);
        assertThat(bad.lines())
                .anyMatch(l -> l.startsWith("✗ table \"public\".\"logs\"")
                        && l.contains("fix:")
                        && l.contains("ADD PRIMARY KEY"));
    }

    @Test
    void check_walLevelReplica_exit1_namingTheFix(PostgresServer pg) throws Exception {
        // local server binaries of the DRASI_PG_VERSION version when set; fails naming the fix when there are none
        Path bin = PostgresHarness.serverBinDir();
        try (LocalPostgres replica =
                LocalPostgres.builder(bin).setting("wal_level", "replica").start()) {
            Path f = tmp.resolve("replica.yaml");
            Files.writeString(
                    f,
                    String.join(
                            "\n",
                            "source_type: postgres",
                            "properties:",
                            "  host: " + replica.host(),
                            "  port: " + replica.port(),
                            "  database: postgres",
                            "  user: " + replica.user(),
                            "  password: " + replica.password(),
                            "  tables: [users]",
                            ""));
            CliProcess r = run(Duration.ofSeconds(30), "check", "--config", f.toString());
            assertThat(r.process().exitValue()).as(r.stderr()).isEqualTo(1);
            assertThat(r.lines())
                    .anyMatch(l -> l.startsWith("✗ wal_level: wal_level is 'replica'")
                            && l.contains("fix: run ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL"));
            assertThat(r.lines()).anyMatch(l -> l.startsWith("✓ connection"));
            assertThat(r.stderr()).contains("checks failed");
        }
    }

    @Test
    void stream_maxChanges_exit0AfterN(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("cli_max", "CREATE TABLE t (id int PRIMARY KEY, v text)");
        CliProcess r = CliProcess.stream(
                tmp,
                config(db, "cli_max_slot", "t"),
                tmp.resolve("max.offsets").toString(),
                "--max-changes",
                "3",
                "--format",
                "host");
        r.awaitStderr("streaming until 3 changes", Duration.ofSeconds(60));
        for (int i = 1; i <= 3; i++) {
            db.execute("INSERT INTO t VALUES (" + i + ", 'v" + i + "')");
        }
        assertThat(r.await(Duration.ofSeconds(60))).as(r.stderr()).isZero();
        assertThat(r.lines())
                .hasSizeGreaterThanOrEqualTo(3)
                .allMatch(l ->
                        l.startsWith("{\"operation\":\"insert\",\"element\":{\"type\":\"node\",\"id\":\"public:t:"));
        assertThat(r.stderr()).contains("stopped; 3 changes printed");
        db.dropSlotIfExists("cli_max_slot");
    }

    @Test
    void stream_sigtermThenRestart_losesAndDuplicatesNothing(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("cli_term", "CREATE TABLE t (id int PRIMARY KEY)");
        for (int i = 1; i <= 20; i++) {
            db.execute("INSERT INTO t VALUES (" + i + ")");
        }
        Path cfg = config(db, "cli_term_slot", "t");
        String offsets = tmp.resolve("state/term.offsets").toString();
        int total = 300;
        Thread writer = new Thread(() -> {
            for (int i = 21; i <= total; i++) {
                db.execute("INSERT INTO t VALUES (" + i + ")");
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        CliProcess first = start("stream", "--config", cfg.toString(), "--bootstrap", "--offsets", offsets);
        first.awaitStderr("streaming (Ctrl-C to stop)", Duration.ofSeconds(60));
        writer.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (first.lines().size() < 80 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        first.process().destroy(); // SIGTERM while the writer is still writing
        int firstExit = first.await(Duration.ofSeconds(60));
        assertThat(firstExit).as(first.stderr()).isIn(0, 143);
        assertThat(first.stderr()).contains("stopped;").contains("position saved to");
        writer.join();

        CliProcess second = start("stream", "--config", cfg.toString(), "--bootstrap", "--offsets", offsets);
        List<String> firstIds = ids(first.lines());
        int remaining = total - firstIds.size();
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ids(second.lines()).size() < remaining
                && System.nanoTime() < deadline
                && second.process().isAlive()) {
            Thread.sleep(50);
        }
        Thread.sleep(500); // anything extra (a duplicate) would show up now
        second.process().destroy();
        second.await(Duration.ofSeconds(60));
        List<String> all = new ArrayList<>(firstIds);
        all.addAll(ids(second.lines()));
        Set<String> expected = new HashSet<>();
        for (int i = 1; i <= total; i++) {
            expected.add("public:t:" + i);
        }
        assertThat(second.stderr()).doesNotContain("[bootstrap]");
        assertThat(firstIds)
                .as("first run got bootstrap rows and some streamed ones")
                .contains("public:t:1", "public:t:21");
        assertThat(all).as("no duplicates").doesNotHaveDuplicates();
        assertThat(new HashSet<>(all)).as("nothing lost").isEqualTo(expected);
        db.dropSlotIfExists("cli_term_slot");
    }

    @Test
    void bootstrap_printsOneInsertPerRow_compositeKey_labelFilter(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("cli_boot", """
                CREATE TABLE order_items (order_id int, line_no int, qty int, PRIMARY KEY (order_id, line_no));
                INSERT INTO order_items SELECT 1 + g / 5, g % 5, g FROM generate_series(0, 49) g;
                CREATE TABLE users (id int PRIMARY KEY);
                INSERT INTO users VALUES (1), (2);
                """);
        Path cfg = config(db, "cli_boot_slot", "order_items", "users");
        CliProcess r = run(Duration.ofSeconds(60), "bootstrap", "--config", cfg.toString(), "--labels", "order_items");
        assertThat(r.process().exitValue()).as(r.stderr()).isZero();
        List<String> lines = r.lines();
        assertThat(lines).hasSize(50).allMatch(l -> l.startsWith("{\"type\":\"Insert\""));
        assertThat(ids(lines)).doesNotHaveDuplicates().contains("public:order_items:1:0", "public:order_items:10:4");
        assertThat(r.stderr()).contains("50 rows from 1 tables");
        assertThat(db.replicationSlots())
                .as("the temporary slot is gone")
                .noneMatch(s -> db.database().equals(s.database()));

        CliProcess platform =
                run(Duration.ofSeconds(60), "bootstrap", "--config", cfg.toString(), "--format", "platform");
        assertThat(platform.process().exitValue()).as(platform.stderr()).isZero();
        assertThat(platform.lines()).hasSize(52).allMatch(l -> l.startsWith("{\"op\":\"i\""));
    }

    @Test
    void help_everyCommand_documentsEveryOption() throws Exception {
        Map<String, List<String>> expected = Map.of(
                "demo", List.of("--duration", "--rows", "--rate", "--progress-interval", "--verbose", "--help"),
                "stream",
                        List.of(
                                "--config",
                                "--source-id",
                                "--format",
                                "--bootstrap",
                                "--max-changes",
                                "--offsets",
                                "--progress-interval",
                                "seed, platform, host"),
                "bootstrap", List.of("--config", "--source-id", "--labels", "--format"),
                "check", List.of("--config", "--source-id", "--json"));
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            CliProcess r = run(Duration.ofSeconds(30), e.getKey(), "--help");
            assertThat(r.process().exitValue()).isZero();
            assertThat(r.stdout())
                    .as(e.getKey() + " --help")
                    .contains("Usage: drasi-pg " + e.getKey())
                    .contains(e.getValue());
        }
        CliProcess top = run(Duration.ofSeconds(30), "--help");
        assertThat(top.stdout()).contains("demo", "stream", "bootstrap", "check", "Exit codes:");
    }
}

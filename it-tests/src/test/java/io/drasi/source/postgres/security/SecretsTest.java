package io.drasi.source.postgres.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.ConnectionFailedException;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.SourceDiagnostics;
import io.drasi.source.postgres.it.cli.CliProcess;
import io.drasi.source.postgres.streaming.StreamingTestSupport;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The password never appears in logs, exceptions (message, causes, stack trace), {@code toString} or the
 * output of {@code drasi-pg check}. In process (logs captured from System.err, where slf4j-simple writes)
 * and through the real CLI jar run with every logger, Debezium's and Kafka's included, at DEBUG: a start
 * with a wrong password, a preflight failure, a successful bootstrap + stream, a bootstrap, and
 * {@code check} with the right and a wrong password. Both the right and the wrong password are searched for.
 */
@ExtendWith(PostgresExtension.class)
class SecretsTest {

    private static final List<String> DEBUG_LOGS = List.of(
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
            "-Dorg.slf4j.simpleLogger.log.io.drasi=debug",
            "-Dorg.slf4j.simpleLogger.log.io.debezium=debug",
            "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=debug");

    @TempDir
    Path tmp;

    private static String secret(String prefix) {
        byte[] b = new byte[9];
        new SecureRandom().nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }

    private static PostgresSourceBuilder config(
            PostgresServer db, String user, String password, String slot, String... tables) {
        return StreamingTestSupport.config(db, slot, tables).withUser(user).withPassword(password);
    }

    /**
     * A new database {@code sec_secret_<kind>} with a table {@code t} of one row, its publication
     * {@code sec_<kind>_pub}, a replication role with a random password, and a random wrong password.
     */
    private record Setup(PostgresServer db, String role, String password, String wrong) {
        static Setup of(PostgresServer pg, String kind) {
            PostgresServer db = pg.newDatabase("sec_secret_" + kind);
            String role = db.database() + "_r";
            String password = secret("Pw-" + kind + "-");
            db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
            db.createReplicationRole(role, password, "t");
            db.execute("CREATE PUBLICATION sec_" + kind + "_pub FOR TABLE t");
            return new Setup(db, role, password, secret("Wrong-" + kind + "-"));
        }
    }

    private static String everything(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        StringBuilder sb = new StringBuilder(w.toString());
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append('\n').append(c).append('\n').append(c.getMessage());
        }
        return sb.toString();
    }

    @Test
    void password_neverInExceptionsToStringOrLogs_inProcess(PostgresServer pg) throws Exception {
        Setup setup = Setup.of(pg, "lib");
        PostgresServer db = setup.db();

        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> texts = new ArrayList<>();
        try (PrintStream tee = new PrintStream(new TeeStream(captured, originalErr), true, StandardCharsets.UTF_8)) {
            System.setErr(tee);

            PostgresSourceConfig good =
                    config(db, setup.role(), setup.password(), "sec_lib", "t").build();
            texts.add(good.toString());
            ConfigurationException invalid = (ConfigurationException) catchThrowable(
                    () -> good.toBuilder().withPort(0).withSlotName("Bad Slot").build());
            texts.add(everything(invalid));

            PostgresSourceConfig badPassword =
                    config(db, setup.role(), setup.wrong(), "sec_lib", "t").build();
            texts.add(badPassword.toString());
            Throwable refused = catchThrowable(() -> {
                try (PostgresReplicationSource s = new PostgresReplicationSource("sec-lib", badPassword)) {
                    texts.add(s.toString());
                    s.start(batch -> {});
                }
            });
            assertThat(refused)
                    .isInstanceOf(ConnectionFailedException.class)
                    .hasMessageContaining("password authentication failed");
            texts.add(everything(refused));
            Throwable bootstrapRefused = catchThrowable(() -> {
                try (PostgresReplicationSource s = new PostgresReplicationSource("sec-lib", badPassword)) {
                    s.bootstrap(Set.of(), insert -> {}, p -> {});
                }
            });
            assertThat(bootstrapRefused).isNotNull();
            texts.add(everything(bootstrapRefused));
            texts.add(SourceDiagnostics.run(badPassword).toString());

            Throwable preflight = catchThrowable(() -> {
                try (PostgresReplicationSource s = new PostgresReplicationSource(
                        "sec-lib",
                        config(db, setup.role(), setup.password(), "sec_lib", "t", "missing")
                                .build())) {
                    s.start(batch -> {});
                }
            });
            assertThat(preflight).isInstanceOf(PreflightException.class);
            texts.add(everything(preflight));

            List<String> got = new ArrayList<>();
            try (PostgresReplicationSource s = new PostgresReplicationSource("sec-lib", good)) {
                s.startWithBootstrap(
                        batch -> batch.forEach(c -> got.add(c.change().toString())), p -> {});
                db.execute("INSERT INTO t VALUES (2, 'b')");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (got.size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(got).hasSize(2);
                texts.add(s.toString());
                texts.add(s.stats().toString());
                texts.add(SourceDiagnostics.run(good).toString());
            }
        } finally {
            System.setErr(originalErr);
            db.dropSlotIfExists("sec_lib");
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).as("logs were captured").contains("sec-lib");
        for (String text : texts) {
            assertThat(text).doesNotContain(setup.password()).doesNotContain(setup.wrong());
        }
        assertThat(logs).doesNotContain(setup.password()).doesNotContain(setup.wrong());
    }

    @Test
    void password_neverInCliOutput_atDebugLevel(PostgresServer pg) throws Exception {
        Setup setup = Setup.of(pg, "cli");
        PostgresServer db = setup.db();
        Path good = yaml("good.yaml", db, setup.role(), "${SEC_PW}", "t");
        Path bad = yaml("bad.yaml", db, setup.role(), setup.wrong(), "t");
        Path missing = yaml("missing.yaml", db, setup.role(), "${SEC_PW}", "t", "missing");
        Map<String, String> env = Map.of("SEC_PW", setup.password());
        List<String> outputs = new ArrayList<>();
        try {
            CliProcess check = CliProcess.start(tmp, DEBUG_LOGS, env, "check", "--config", good.toString());
            assertThat(check.await(Duration.ofSeconds(60))).as(check.stderr()).isZero();
            CliProcess checkJson =
                    CliProcess.start(tmp, DEBUG_LOGS, env, "check", "--json", "--config", good.toString());
            checkJson.await(Duration.ofSeconds(60));
            CliProcess checkBad = CliProcess.start(tmp, DEBUG_LOGS, env, "check", "--config", bad.toString());
            assertThat(checkBad.await(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(checkBad.stdout()).contains("password authentication failed");
            CliProcess streamBad = CliProcess.start(tmp, DEBUG_LOGS, env, "stream", "--config", bad.toString());
            assertThat(streamBad.await(Duration.ofSeconds(60))).isNotZero();
            assertThat(streamBad.stderr()).contains("password authentication failed");
            CliProcess preflight = CliProcess.start(tmp, DEBUG_LOGS, env, "stream", "--config", missing.toString());
            assertThat(preflight.await(Duration.ofSeconds(60))).isNotZero();
            assertThat(preflight.stderr()).contains("does not exist");
            CliProcess boot = CliProcess.start(tmp, DEBUG_LOGS, env, "bootstrap", "--config", good.toString());
            assertThat(boot.await(Duration.ofSeconds(60))).as(boot.stderr()).isZero();
            CliProcess stream = CliProcess.start(
                    tmp,
                    DEBUG_LOGS,
                    env,
                    "stream",
                    "--config",
                    good.toString(),
                    "--bootstrap",
                    "--max-changes",
                    "2",
                    "--offsets",
                    tmp.resolve("o.offsets").toString(),
                    "--progress-interval",
                    "200ms");
            stream.awaitStreaming();
            db.execute("INSERT INTO t VALUES (2, 'b')");
            assertThat(stream.await(Duration.ofSeconds(60))).as(stream.stderr()).isZero();
            assertThat(stream.stdout()).contains("\"public:t:2\"");
            assertThat(stream.stderr()).as("debug logging was on").contains("DEBUG");
            for (CliProcess p : List.of(check, checkJson, checkBad, streamBad, preflight, boot, stream)) {
                outputs.add(p.stdout());
                outputs.add(p.stderr());
            }
        } finally {
            db.dropSlotIfExists("sec_cli");
        }
        for (String o : outputs) {
            assertThat(o).doesNotContain(setup.password()).doesNotContain(setup.wrong());
        }
    }

    private Path yaml(String name, PostgresServer db, String user, String password, String... tables) throws Exception {
        return CliProcess.sourceYaml(
                tmp.resolve(name),
                db,
                "sec-cli",
                user,
                password,
                "sec_cli",
                "sec_cli_pub",
                List.of(tables),
                "offsetStore: memory");
    }

    /** Writes to two streams. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}

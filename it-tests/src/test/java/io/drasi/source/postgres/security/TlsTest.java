package io.drasi.source.postgres.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.drasi.source.postgres.ConnectionFailedException;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.SourceDiagnostics;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.local.LocalPostgres;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresHarness;
import io.drasi.source.postgres.testing.StderrCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS against a dedicated cluster ({@code ssl=on}) whose server certificate (SAN {@code IP:127.0.0.1}) is
 * signed by a CA generated here with {@code openssl}. With {@code require} and {@code verify-full}
 * ({@code ssl_root_cert} = the CA) every connection of the source — the replication (walsender)
 * connection, the connection-monitor and TOAST look-up connections, the first bootstrap's slot and COPY
 * connections and a later temporary-slot bootstrap's — shows {@code ssl = true} in {@code pg_stat_ssl};
 * sampled while each is open. {@code verify-full} against a name not in the certificate, and against
 * another CA, fail at start with an error that says it is the certificate.
 */
class TlsTest {

    private static final String SOURCE_ID = "tls-src";
    private static final String APP = "drasi-source-postgres:" + SOURCE_ID;
    /** Enough rows that the snapshot is still being read while the first batches are delivered. */
    private static final int ROWS = 20_000;

    @TempDir
    static Path certs;

    private static LocalPostgres pg;
    private static Path caCert;
    private static Path otherCaCert;

    @BeforeAll
    static void startTlsCluster() throws Exception {
        // local server binaries of the DRASI_PG_VERSION version when set; fails naming the fix when there are none
        Path bin = PostgresHarness.serverBinDir();
        pg = LocalPostgres.builder(bin).tempDirPrefix("drasi-pg-tls-").start();
        caCert = certs.resolve("ca.crt");
        otherCaCert = certs.resolve("other-ca.crt");
        selfSignedCa("drasi-test-ca", certs.resolve("ca.key"), caCert);
        selfSignedCa("other-ca", certs.resolve("other-ca.key"), otherCaCert);
        Path key = pg.dataDir().resolve("server.key");
        Path crt = pg.dataDir().resolve("server.crt");
        Path csr = certs.resolve("server.csr");
        openssl(
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                key.toString(),
                "-out",
                csr.toString());
        Path ext = certs.resolve("server.ext");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        openssl(
                "x509",
                "-req",
                "-in",
                csr.toString(),
                "-CA",
                caCert.toString(),
                "-CAkey",
                certs.resolve("ca.key").toString(),
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                ext.toString(),
                "-out",
                crt.toString());
        if (pg.runsAsPostgresUser()) {
            run("chown", "postgres:", key.toString(), crt.toString());
        }
        run("chmod", "600", key.toString());
        try (Connection c = admin();
                Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET ssl_cert_file = '" + crt + "'");
            st.execute("ALTER SYSTEM SET ssl_key_file = '" + key + "'");
            st.execute("ALTER SYSTEM SET ssl = on");
            st.execute("SELECT pg_reload_conf()");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"on".equals(adminValue("SHOW ssl"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ssl did not turn on; server log:\n" + Files.readString(pg.serverLog()));
            }
            Thread.sleep(50);
        }
        try (Connection c = admin();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
            st.execute("INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, " + ROWS + ") g");
        }
    }

    @AfterAll
    static void stopTlsCluster() {
        if (pg != null) {
            pg.close();
        }
    }

    /** A self-signed CA certificate (2 days, RSA 2048) with subject {@code CN=<cn>}. */
    private static void selfSignedCa(String cn, Path key, Path cert) throws Exception {
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=" + cn,
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString());
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        run(cmd.toArray(String[]::new));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("failed: " + String.join(" ", cmd) + "\n" + out);
        }
    }

    /** A plain-TCP superuser connection (excluded from the checks by its pid). */
    private static Connection admin() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        p.setProperty("password", pg.password());
        p.setProperty("sslmode", "disable");
        p.setProperty("ApplicationName", "tls-test-admin");
        return DriverManager.getConnection(pg.jdbcUrl("postgres"), p);
    }

    private static String adminValue(String sql) throws SQLException {
        try (Connection c = admin();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** One TCP client connection other than the test's own. */
    record Conn(int pid, String app, String backendType, boolean ssl, String version) {}

    /** Every TCP client connection except the admin ones, with its TLS state. */
    static List<Conn> connections() {
        List<Conn> out = new ArrayList<>();
        try (Connection c = admin();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT a.pid, a.application_name, a.backend_type, s.ssl, s.version FROM pg_stat_activity a"
                                + " JOIN pg_stat_ssl s USING (pid) WHERE a.client_addr IS NOT NULL"
                                + " AND a.application_name <> 'tls-test-admin'")) {
            while (rs.next()) {
                out.add(new Conn(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static PostgresSourceBuilder config(SslMode mode, String host, String slot) {
        PostgresSourceBuilder b = PostgresSourceConfig.builder()
                .withHost(host)
                .withPort(pg.port())
                .withDatabase("postgres")
                .withUser(pg.user())
                .withPassword(pg.password())
                .withTables("t")
                .withSlotName(slot)
                .withPublicationName(slot + "_pub")
                .withInMemoryOffsets()
                .withSslMode(mode)
                .withReconnectBackoffInitial(Duration.ofMillis(200))
                .withReconnectBackoffMax(Duration.ofSeconds(2));
        if (mode.verifiesCertificate()) {
            b.withSslRootCert(caCert);
        }
        return b;
    }

    private static void assertAllEncrypted(List<Conn> seen, String when) {
        assertThat(seen).as("%s: the source's connections", when).anyMatch(c -> APP.equals(c.app()));
        assertThat(seen)
                .as("%s: every TCP connection but the test's own is TLS: %s", when, seen)
                .allMatch(Conn::ssl);
    }

    @ParameterizedTest
    @EnumSource(
            value = SslMode.class,
            names = {"REQUIRE", "VERIFY_FULL"})
    void sslMode_everyConnectionOfTheSourceEncrypted(SslMode mode) throws Exception {
        String slot = "tls_" + mode.name().toLowerCase();
        PostgresSourceConfig config = config(mode, pg.host(), slot).build();
        List<Conn> duringFirstBootstrap = new ArrayList<>();
        List<SourceChange> received = new ArrayList<>();
        Object lock = new Object();
        try (PostgresReplicationSource source = new PostgresReplicationSource(SOURCE_ID, config)) {
            source.startWithBootstrap(
                    batch -> {
                        synchronized (lock) {
                            if (received.size() < ROWS) {
                                duringFirstBootstrap.addAll(connections());
                            }
                            for (PositionedChange c : batch) {
                                received.add(c.change());
                            }
                            lock.notifyAll();
                        }
                    },
                    p -> {});
            assertAllEncrypted(duringFirstBootstrap, "first bootstrap");
            assertThat(duringFirstBootstrap)
                    .as("slot (replication) and COPY connections during the bootstrap")
                    .filteredOn(c -> APP.equals(c.app()))
                    .extracting(Conn::backendType)
                    .contains("walsender", "client backend");

            try (Connection c = admin();
                    Statement st = c.createStatement()) {
                st.execute("INSERT INTO t VALUES (0, 'streamed')");
            }
            synchronized (lock) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (received.size() < ROWS + 1) {
                    long left = deadline - System.nanoTime();
                    assertThat(left)
                            .as("stream delivered the insert; %s changes so far", received.size())
                            .isPositive();
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            }
            // the source's own connection (the slot monitor's) may be between two checks: sample for a while
            List<Conn> streaming = connections();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (streaming.stream().noneMatch(c -> APP.equals(c.app()) && "client backend".equals(c.backendType()))
                    && System.nanoTime() < until) {
                Thread.sleep(50);
                streaming = connections();
            }
            assertAllEncrypted(streaming, "streaming");
            // Debezium names its own connections ("Debezium Streaming" for the walsender, "Debezium General"),
            // overriding the configured application name; on this dedicated cluster they are the source's anyway
            assertThat(streaming)
                    .as("the replication connection is a TLS walsender")
                    .anyMatch(c -> "walsender".equals(c.backendType()) && c.ssl());
            assertThat(streaming)
                    .as("the normal connections of the source")
                    .anyMatch(c -> APP.equals(c.app()) && "client backend".equals(c.backendType()) && c.ssl());

            List<Conn> duringBootstrap = new ArrayList<>();
            int[] rows = {0};
            source.bootstrap(
                    Set.of(),
                    insert -> {
                        if (rows[0]++ % 5000 == 0) {
                            duringBootstrap.addAll(connections());
                        }
                    },
                    p -> {});
            assertAllEncrypted(duringBootstrap, "bootstrap with a temporary slot while streaming");
            assertThat(duringBootstrap)
                    .filteredOn(c -> APP.equals(c.app()) && "walsender".equals(c.backendType()))
                    .extracting(Conn::pid)
                    .as("stream walsender and the temporary slot's walsender")
                    .hasSizeGreaterThanOrEqualTo(2);
            assertThat(duringBootstrap)
                    .filteredOn(c -> APP.equals(c.app()))
                    .extracting(Conn::backendType)
                    .as("the snapshot's COPY connection")
                    .contains("client backend");
        } finally {
            try (Connection c = admin();
                    Statement st = c.createStatement()) {
                st.execute("DELETE FROM t WHERE id = 0");
            }
            dropSlot(slot);
        }
        assertThat(SourceDiagnostics.allOk(SourceDiagnostics.run(config))).isTrue();
    }

    /** Between changes the replication stream waits on its TLS socket (issue 19): idle gaps, then every change. */
    @Test
    void streaming_idleGapsOverTls_waitsOnTheSocketAndDeliversEveryChange() throws Exception {
        PostgresSourceConfig config =
                config(SslMode.REQUIRE, pg.host(), "tls_idle").build();
        List<String> received = new ArrayList<>();
        Object lock = new Object();
        try {
            String logs = StderrCapture.during(() -> {
                try (PostgresReplicationSource source = new PostgresReplicationSource(SOURCE_ID, config)) {
                    source.start(batch -> {
                        synchronized (lock) {
                            batch.forEach(
                                    c -> received.add(c.change().getClass().getSimpleName()));
                            lock.notifyAll();
                        }
                    });
                    assertThat(source.awaitState(State.RUNNING, Duration.ofSeconds(60)))
                            .isTrue();
                    for (int i = 1; i <= 3; i++) {
                        Thread.sleep(1500); // idle: the stream blocks in a read of the TLS socket
                        try (Connection c = admin();
                                Statement st = c.createStatement()) {
                            st.execute("INSERT INTO t VALUES (" + -i + ", 'after an idle gap')");
                        }
                        synchronized (lock) {
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                            while (received.size() < i) {
                                long left = deadline - System.nanoTime();
                                assertThat(left)
                                        .as("change %s after an idle gap", i)
                                        .isPositive();
                                lock.wait(Math.max(1, left / 1_000_000));
                            }
                        }
                    }
                    assertThat(connections())
                            .as("the replication connection is a TLS walsender")
                            .anyMatch(c -> "walsender".equals(c.backendType()) && c.ssl());
                }
            });
            assertThat(logs)
                    .as("waits on the TLS socket, no fallback to polling")
                    .doesNotContain("cannot wait on the replication socket");
        } finally {
            try (Connection c = admin();
                    Statement st = c.createStatement()) {
                st.execute("DELETE FROM t WHERE id < 0");
            }
            dropSlot("tls_idle");
        }
        assertThat(received).containsExactly("Insert", "Insert", "Insert");
    }

    @Test
    void verifyFull_wrongHostName_failsNamingTheCertificate() throws IOException {
        PostgresSourceConfig config =
                config(SslMode.VERIFY_FULL, "localhost", "tls_wrong_host").build();
        Throwable e = catchThrowable(() -> {
            try (PostgresReplicationSource source = new PostgresReplicationSource(SOURCE_ID, config)) {
                source.start(batch -> {});
            }
        });
        assertThat(e).isInstanceOf(ConnectionFailedException.class);
        assertThat(e.getMessage())
                .contains("localhost")
                .containsIgnoringCase("certificate")
                .contains("verify-full")
                .doesNotContain("check host and port")
                .doesNotContain(pg.password());
        List<SourceDiagnostics.Check> checks = SourceDiagnostics.run(config);
        assertThat(checks).singleElement().satisfies(c -> {
            assertThat(c.ok()).isFalse();
            assertThat(c.fix()).containsIgnoringCase("certificate");
        });
        assertThat(connections()).noneMatch(c -> APP.equals(c.app()));
    }

    @Test
    void verifyFull_certificateOfAnotherCa_failsNamingTheCertificate() {
        PostgresSourceConfig config = config(SslMode.VERIFY_FULL, pg.host(), "tls_other_ca")
                .withSslRootCert(otherCaCert)
                .build();
        Throwable e = catchThrowable(() -> {
            try (PostgresReplicationSource source = new PostgresReplicationSource(SOURCE_ID, config)) {
                source.start(batch -> {});
            }
        });
        assertThat(e).isInstanceOf(ConnectionFailedException.class);
        assertThat(e.getMessage())
                .containsIgnoringCase("certificate")
                .contains("ssl_root_cert")
                .doesNotContain("check host and port");
    }

    private static void dropSlot(String slot) throws SQLException {
        try (Connection c = admin();
                Statement st = c.createStatement()) {
            for (int i = 0; i < 50; i++) {
                try {
                    st.execute(
                            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                                    + slot + "'");
                    return;
                } catch (SQLException e) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}

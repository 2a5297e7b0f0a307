package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.local.LocalPostgres;
import io.drasi.source.postgres.local.PgUrl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The demo's PostgreSQL, obtained in the test harness's order: {@code DRASI_PG_URL} (a database
 * {@code drasi_demo_<pid>} is created there and dropped at the end), a {@code postgres:16-alpine}
 * container when a Docker engine answers ({@code docker} CLI; the harness uses Testcontainers, which the
 * CLI does not embed), then a throwaway cluster from local server binaries ({@link LocalPostgres}, as the
 * {@code postgres} OS user when root). {@link #close()} removes what was started.
 */
final class DemoServer implements AutoCloseable {

    final String host;
    final int port;
    final String user;
    final String password;
    final String database;
    final String origin;
    private final Runnable cleanup;
    private boolean closed;

    private DemoServer(
            String host, int port, String user, String password, String database, String origin, Runnable cleanup) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
        this.origin = origin;
        this.cleanup = cleanup;
    }

    /** Raised when no server could be had; the message lists what was tried and the one fix. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    static DemoServer obtain(Map<String, String> env) {
        List<String> tried = new ArrayList<>();
        String url = env.get("DRASI_PG_URL");
        if (url != null && !url.isBlank()) {
            return external(url, env);
        }
        tried.add("DRASI_PG_URL not set");
        Optional<DemoServer> docker = docker(tried);
        if (docker.isPresent()) {
            return docker.get();
        }
        Optional<Path> bin = LocalPostgres.findBinDir(env, tried);
        if (bin.isPresent()) {
            System.err.println("drasi-pg demo: starting a throwaway PostgreSQL from " + bin.get()
                    + (LocalPostgres.isRoot() ? " as OS user postgres" : "") + " ...");
            LocalPostgres pg = LocalPostgres.builder(bin.get())
                    .shutdownHook(false)
                    .tempDirPrefix("drasi-pg-demo-")
                    .start();
            return new DemoServer(
                    pg.host(),
                    pg.port(),
                    pg.user(),
                    pg.password(),
                    pg.defaultDatabase(),
                    pg.describe() + ", data " + pg.baseDir(),
                    pg::close);
        }
        throw new Unavailable("no PostgreSQL for the demo. Tried:\n  - " + String.join("\n  - ", tried)
                + "\nFix: install the server binaries with `" + LocalPostgres.installCommand()
                + "` (the Debian service need not run), or set "
                + "DRASI_PG_URL=jdbc:postgresql://host:port/db?user=u&password=p"
                + " to a server with wal_level=logical");
    }

    private static DemoServer external(String url, Map<String, String> env) {
        PgUrl u;
        try {
            u = PgUrl.parse(url, env);
        } catch (IllegalArgumentException e) {
            throw new Unavailable(e.getMessage());
        }
        String user = u.user();
        String pw = u.password();
        int port = u.port();
        String demoDb = "drasi_demo_" + ProcessHandle.current().pid();
        String adminUrl = u.jdbcUrl(u.database());
        exec(adminUrl, user, pw, "CREATE DATABASE " + demoDb);
        return new DemoServer(
                u.host(),
                port,
                user,
                pw,
                demoDb,
                "DRASI_PG_URL " + adminUrl + " (database " + demoDb + ")",
                () -> exec(adminUrl, user, pw, "DROP DATABASE IF EXISTS " + demoDb + " WITH (FORCE)"));
    }

    private static Optional<DemoServer> docker(List<String> tried) {
        if (run(List.of("docker", "info", "--format", "{{.ServerVersion}}"), 5).isEmpty()) {
            tried.add("Docker: no engine answered (docker info)");
            return Optional.empty();
        }
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        String pw = HexFormat.of().formatHex(b);
        Optional<String> id = run(
                List.of(
                        "docker",
                        "run",
                        "-d",
                        "--rm",
                        "-p",
                        "127.0.0.1::5432",
                        "-e",
                        "POSTGRES_PASSWORD=" + pw,
                        "postgres:16-alpine",
                        "-c",
                        "wal_level=logical",
                        "-c",
                        "max_replication_slots=20",
                        "-c",
                        "max_wal_senders=20",
                        "-c",
                        "fsync=off"),
                300);
        if (id.isEmpty()) {
            tried.add("Docker: docker run postgres:16-alpine failed");
            return Optional.empty();
        }
        String container = id.get().trim();
        Runnable remove = () -> run(List.of("docker", "rm", "-f", container), 60);
        try {
            String mapped = run(List.of("docker", "port", container, "5432/tcp"), 10)
                    .orElseThrow()
                    .lines()
                    .findFirst()
                    .orElseThrow();
            int port = Integer.parseInt(
                    mapped.substring(mapped.lastIndexOf(':') + 1).trim());
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    exec(url, "postgres", pw, "select 1");
                    break;
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(500);
                }
            }
            return Optional.of(new DemoServer(
                    "127.0.0.1",
                    port,
                    "postgres",
                    pw,
                    "postgres",
                    "Docker container " + container.substring(0, Math.min(12, container.length()))
                            + " (postgres:16-alpine)",
                    remove));
        } catch (RuntimeException | InterruptedException e) {
            remove.run();
            tried.add("Docker: container did not come up: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<String> run(List<String> cmd, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static void exec(String url, String user, String password, String sql) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "10");
        try (Connection c = DriverManager.getConnection(url, p);
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL on " + url + " failed: " + e.getMessage(), e);
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            cleanup.run();
        }
    }
}

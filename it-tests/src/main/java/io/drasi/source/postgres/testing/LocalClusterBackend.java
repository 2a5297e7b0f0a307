package io.drasi.source.postgres.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway cluster made with the local PostgreSQL server binaries: {@code initdb} into a temp
 * directory, {@code wal_level=logical}, a free port on 127.0.0.1, SCRAM passwords over TCP. When the
 * JVM runs as root, {@code initdb}/{@code pg_ctl} run as the {@code postgres} OS user via
 * {@code runuser}, since PostgreSQL refuses to run as root. Stopped (fast) and deleted on close and by
 * a shutdown hook.
 */
final class LocalClusterBackend implements Backend {

    private static final Logger LOG = LoggerFactory.getLogger(LocalClusterBackend.class);
    private static final String SUPERUSER = "postgres";

    private final Path binDir;
    private final Path baseDir;
    private final Path dataDir;
    private final int port;
    private final String password;
    private final boolean asPostgresUser;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LocalClusterBackend(Path binDir, Path baseDir, int port, String password, boolean asPostgresUser) {
        this.binDir = binDir;
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.port = port;
        this.password = password;
        this.asPostgresUser = asPostgresUser;
        this.shutdownHook = new Thread(this::close, "drasi-pg-harness-shutdown");
    }

    /** Finds the newest server bin directory: DRASI_PG_BIN, {@code pg_config --bindir}, /usr/lib/postgresql/N/bin. */
    static Path findBinDir(Map<String, String> env, List<String> tried) {
        List<Path> candidates = new ArrayList<>();
        if (env.get("DRASI_PG_BIN") != null) {
            candidates.add(Path.of(env.get("DRASI_PG_BIN")));
        }
        Path usrLib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(usrLib)) {
            try (Stream<Path> s = Files.list(usrLib)) {
                s.map(p -> p.resolve("bin"))
                        .sorted(Comparator.comparing((Path p) -> versionOf(p.getParent().getFileName().toString())).reversed())
                        .forEach(candidates::add);
            } catch (IOException e) {
                tried.add("listing /usr/lib/postgresql failed: " + e.getMessage());
            }
        }
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0 && !out.isEmpty()) {
                candidates.add(Path.of(out));
            }
        } catch (IOException e) {
            // pg_config not on PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve("initdb")) && Files.isExecutable(c.resolve("pg_ctl"))) {
                return c;
            }
            tried.add("no initdb/pg_ctl in " + c);
        }
        if (candidates.isEmpty()) {
            tried.add("no PostgreSQL server binaries found (DRASI_PG_BIN unset, /usr/lib/postgresql/*/bin absent, "
                    + "pg_config not on PATH); install them with: apt-get install -y postgresql");
        }
        return null;
    }

    private static double versionOf(String dirName) {
        try {
            return Double.parseDouble(dirName);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static LocalClusterBackend start(Path binDir) {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path base;
        try {
            base = Files.createTempDirectory("drasi-pg-");
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir for the PostgreSQL cluster", e);
        }
        byte[] pw = new byte[12];
        new SecureRandom().nextBytes(pw);
        LocalClusterBackend b = new LocalClusterBackend(binDir, base, freePort(), HexFormat.of().formatHex(pw), root);
        Runtime.getRuntime().addShutdownHook(b.shutdownHook);
        try {
            b.initAndStart();
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    private void initAndStart() {
        try {
            if (asPostgresUser) {
                run(List.of("chown", "postgres:", baseDir.toString()), false);
            }
            Path pwFile = baseDir.resolve("pwfile");
            Files.writeString(pwFile, password + "\n");
            if (asPostgresUser) {
                run(List.of("chown", "postgres:", pwFile.toString()), false);
            }
            run(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", SUPERUSER,
                    "--pwfile=" + pwFile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                    "--locale=C.UTF-8", "--no-sync"), true);
            Files.deleteIfExists(pwFile);
            String conf = String.join("\n",
                    "# added by the drasi-source-postgres test harness",
                    "port = " + port,
                    "listen_addresses = '127.0.0.1'",
                    "unix_socket_directories = '" + baseDir + "'",
                    "wal_level = logical",
                    "max_replication_slots = 20",
                    "max_wal_senders = 20",
                    "max_connections = 100",
                    "fsync = off",
                    "full_page_writes = off",
                    "shared_buffers = 128MB",
                    "log_min_messages = warning",
                    "");
            Path confFile = dataDir.resolve("postgresql.conf");
            // written as root when root: the file stays readable by postgres (0600 owner postgres before; append keeps owner)
            Files.writeString(confFile, conf, java.nio.file.StandardOpenOption.APPEND);
            startServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l",
                baseDir.resolve("server.log").toString(), "-w", "-t", "60", "start"), true);
        LOG.info("PostgreSQL cluster started on 127.0.0.1:{} from {} (data {})", port, binDir, dataDir);
    }

    private void stopServer(String mode) {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", mode, "-w", "-t", "60", "stop"), true);
    }

    @Override
    public boolean canRestart() {
        return true;
    }

    @Override
    public synchronized void restart(PostgresServer.ShutdownMode mode) {
        stopServer(mode == PostgresServer.ShutdownMode.IMMEDIATE ? "immediate" : "fast");
        startServer();
    }

    /** Runs a command (as the postgres user when root and {@code asPg}), failing with its output on a non-zero exit. */
    private String run(List<String> cmd, boolean asPg) {
        List<String> full = new ArrayList<>();
        if (asPg && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(cmd);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).directory(baseDir.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", full));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("command failed (exit " + p.exitValue() + "): " + String.join(" ", full)
                        + "\n" + out + serverLogTail());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", full), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + full, e);
        }
    }

    private String serverLogTail() {
        Path log = baseDir.resolve("server.log");
        try {
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                return "\n--- server.log (tail) ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            }
        } catch (IOException e) {
            // best effort
        }
        return "";
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port", e);
        }
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String user() {
        return SUPERUSER;
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public String defaultDatabase() {
        return "postgres";
    }

    @Override
    public String describe() {
        return "local binaries " + binDir + (asPostgresUser ? " (as OS user postgres)" : "");
    }

    /** @return the data directory (for tests that edit pg_hba.conf or postgresql.conf) */
    Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (Files.exists(dataDir.resolve("postmaster.pid"))) {
                stopServer("fast");
            }
        } catch (RuntimeException e) {
            LOG.warn("stopping the PostgreSQL cluster failed: {}", e.getMessage());
        } finally {
            deleteRecursively(baseDir);
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}

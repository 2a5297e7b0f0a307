package io.drasi.source.postgres.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster made with the local server binaries: {@code initdb} into a fresh temp
 * directory, {@code wal_level=logical} (unless overridden), a free port on 127.0.0.1, a random
 * superuser password (SCRAM over TCP, trust on the private Unix socket). When the JVM runs as root,
 * {@code initdb}/{@code pg_ctl} run as the {@code postgres} OS user through {@code runuser}, since
 * PostgreSQL refuses to run as root.
 *
 * <pre>{@code
 * Path bin = LocalPostgres.findBinDir(System.getenv(), new ArrayList<>()).orElseThrow();
 * try (LocalPostgres pg = LocalPostgres.builder(bin).start()) {
 *     String url = pg.jdbcUrl("postgres");   // user pg.user(), password pg.password()
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the server (fast, then immediate, then SIGKILL) and deletes the temp
 * directory; a JVM shutdown hook does the same unless disabled with
 * {@link Builder#shutdownHook(boolean)}. Used by the test harness and by the CLI's {@code demo}.
 *
 * <p>Thread-safety: {@link #restart} and {@link #close} are synchronized; accessors are immutable.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    private static final String SUPERUSER = "postgres";
    private static final Pattern VERSION_OUTPUT = Pattern.compile("\\(PostgreSQL\\) (\\d+(?:\\.\\d+)?)");

    private final Path binDir;
    private final Path baseDir;
    private final Path dataDir;
    private final int port;
    private final String password;
    private final boolean asPostgresUser;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LocalPostgres(Path binDir, Path baseDir, int port, String password, boolean asPostgresUser, boolean hook) {
        this.binDir = binDir;
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.port = port;
        this.password = password;
        this.asPostgresUser = asPostgresUser;
        this.shutdownHook = hook ? new Thread(this::close, "local-postgres-shutdown") : null;
    }

    /**
     * Finds the newest server bin directory holding {@code initdb} and {@code pg_ctl}: {@code DRASI_PG_BIN},
     * then {@code /usr/lib/postgresql/N/bin} (highest N first), then {@code pg_config --bindir}.
     *
     * @param env   environment variables to read ({@code DRASI_PG_BIN}); never null
     * @param tried receives one line per place that did not work, and the install hint when nothing was found
     * @return the directory, or empty
     */
    public static Optional<Path> findBinDir(Map<String, String> env, List<String> tried) {
        List<Path> candidates = new ArrayList<>();
        if (env.get("DRASI_PG_BIN") != null && !env.get("DRASI_PG_BIN").isBlank()) {
            candidates.add(Path.of(env.get("DRASI_PG_BIN")));
        }
        Path usrLib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(usrLib)) {
            try (Stream<Path> s = Files.list(usrLib)) {
                s.map(p -> p.resolve("bin"))
                        .sorted(Comparator.comparing((Path p) ->
                                        versionOf(p.getParent().getFileName().toString()))
                                .reversed())
                        .forEach(candidates::add);
            } catch (IOException e) {
                tried.add("listing /usr/lib/postgresql failed: " + e.getMessage());
            }
        }
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir")
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
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
                return Optional.of(c);
            }
            tried.add("no initdb/pg_ctl in " + c);
        }
        if (candidates.isEmpty()) {
            tried.add("no PostgreSQL server binaries found (DRASI_PG_BIN unset, /usr/lib/postgresql/*/bin absent, "
                    + "pg_config not on PATH); install them with: " + installCommand());
        }
        return Optional.empty();
    }

    /**
     * @return the one command that installs the server binaries on this machine, e.g.
     *     {@code apt-get install -y postgresql} (prefixed with {@code sudo} when not root and apt exists)
     */
    public static String installCommand() {
        boolean apt = Files.isExecutable(Path.of("/usr/bin/apt-get"));
        if (!apt) {
            return "your package manager's PostgreSQL server package (e.g. postgresql), or set DRASI_PG_BIN to its "
                    + "bin directory";
        }
        return (isRoot() ? "" : "sudo ") + "apt-get install -y postgresql";
    }

    /** @return true when the JVM runs as root (then the cluster runs as the {@code postgres} OS user) */
    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static double versionOf(String dirName) {
        try {
            return Double.parseDouble(dirName);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * @param binDir a directory with {@code initdb} and {@code pg_ctl}; never null
     * @return a builder with the defaults (wal_level logical, 20 slots and senders, fsync off)
     */
    public static Builder builder(Path binDir) {
        return new Builder(Objects.requireNonNull(binDir, "binDir"));
    }

    /** Options of a cluster to start. Not thread-safe. */
    public static final class Builder {
        private final Path binDir;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private boolean shutdownHook = true;
        private String tempPrefix = "drasi-pg-";

        private Builder(Path binDir) {
            this.binDir = binDir;
            settings.put("wal_level", "logical");
            settings.put("max_replication_slots", "20");
            settings.put("max_wal_senders", "20");
            settings.put("max_connections", "100");
            settings.put("fsync", "off");
            settings.put("full_page_writes", "off");
            settings.put("shared_buffers", "128MB");
            settings.put("log_min_messages", "warning");
        }

        /**
         * Sets (or overrides) a {@code postgresql.conf} setting, e.g. {@code setting("wal_level", "replica")}.
         *
         * @param name  setting name
         * @param value raw value, written as {@code name = 'value'}
         * @return this
         */
        public Builder setting(String name, String value) {
            settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param register true (default) to stop and delete the cluster at JVM exit
         * @return this
         */
        public Builder shutdownHook(boolean register) {
            this.shutdownHook = register;
            return this;
        }

        /**
         * @param prefix prefix of the temp directory name (default {@code drasi-pg-})
         * @return this
         */
        public Builder tempDirPrefix(String prefix) {
            this.tempPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * Creates, configures and starts the cluster; waits until it accepts connections.
         *
         * @return the running cluster
         * @throws IllegalStateException when a step fails (the message has the command's output and the
         *                               server log's tail); nothing is left behind then
         */
        public LocalPostgres start() {
            Path base;
            try {
                base = Files.createTempDirectory(tempPrefix);
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temp dir for the PostgreSQL cluster", e);
            }
            byte[] pw = new byte[12];
            new SecureRandom().nextBytes(pw);
            LocalPostgres pg =
                    new LocalPostgres(binDir, base, freePort(), HexFormat.of().formatHex(pw), isRoot(), shutdownHook);
            if (pg.shutdownHook != null) {
                Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
            }
            try {
                pg.initAndStart(settings);
                return pg;
            } catch (RuntimeException e) {
                pg.close();
                throw e;
            }
        }
    }

    private void initAndStart(Map<String, String> settings) {
        try {
            if (asPostgresUser) {
                run(List.of("chown", "postgres:", baseDir.toString()), false);
            }
            Path pwFile = baseDir.resolve("pwfile");
            Files.writeString(pwFile, password + "\n");
            if (asPostgresUser) {
                run(List.of("chown", "postgres:", pwFile.toString()), false);
            }
            run(
                    List.of(
                            binDir.resolve("initdb").toString(),
                            "-D",
                            dataDir.toString(),
                            "-U",
                            SUPERUSER,
                            "--pwfile=" + pwFile,
                            "--auth-local=trust",
                            "--auth-host=scram-sha-256",
                            "-E",
                            "UTF8",
                            "--locale=C.UTF-8",
                            "--no-sync"),
                    true);
            Files.deleteIfExists(pwFile);
            StringBuilder conf = new StringBuilder("\n# added by drasi-source-postgres LocalPostgres\n");
            conf.append("port = ").append(port).append('\n');
            conf.append("listen_addresses = '127.0.0.1'\n");
            conf.append("unix_socket_directories = '").append(baseDir).append("'\n");
            settings.forEach((k, v) ->
                    conf.append(k).append(" = '").append(v.replace("'", "''")).append("'\n"));
            // appending keeps the file's owner (postgres) and mode
            Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
            startServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() {
        run(
                List.of(
                        binDir.resolve("pg_ctl").toString(),
                        "-D",
                        dataDir.toString(),
                        "-l",
                        baseDir.resolve("server.log").toString(),
                        "-w",
                        "-t",
                        "60",
                        "start"),
                true);
        LOG.info("PostgreSQL cluster started on 127.0.0.1:{} from {} (data {})", port, binDir, dataDir);
    }

    private void stopServer(String mode) {
        run(
                List.of(
                        binDir.resolve("pg_ctl").toString(),
                        "-D",
                        dataDir.toString(),
                        "-m",
                        mode,
                        "-w",
                        "-t",
                        "60",
                        "stop"),
                true);
    }

    /**
     * Stops the server and starts it again on the same port and data, waiting until it accepts connections.
     *
     * @param immediate true for {@code pg_ctl -m immediate} (like a crash; recovery runs at start), false
     *                  for a clean fast shutdown
     */
    public synchronized void restart(boolean immediate) {
        if (closed) {
            throw new IllegalStateException("the cluster was stopped");
        }
        stopServer(immediate ? "immediate" : "fast");
        startServer();
    }

    /** Runs a command (as the postgres user when root and {@code asPg}), failing with its output on a non-zero exit. */
    private String run(List<String> cmd, boolean asPg) {
        return exec(cmd, asPg && asPostgresUser, baseDir, this::serverLogTail);
    }

    /**
     * Runs a command to its end (at most 120 s), as the {@code postgres} OS user through {@code runuser} when
     * {@code asPostgres}.
     *
     * @return its output (stdout and stderr)
     * @throws IllegalStateException on a non-zero exit (with the output and {@code extra}) or a timeout
     */
    private static String exec(List<String> cmd, boolean asPostgres, Path dir, Supplier<String> extra) {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(cmd);
        try {
            ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", full));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("command failed (exit " + p.exitValue() + "): " + String.join(" ", full)
                        + "\n" + out + extra.get());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", full), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + full, e);
        }
    }

    /**
     * Runs {@code binDir/postgres --version} the way a cluster would run it: as the {@code postgres} OS user
     * when the JVM is root, so a binary that user cannot reach fails here, naming the command.
     *
     * @param binDir a server bin directory
     * @return the version, e.g. {@code 18.0} or {@code 15.18}
     * @throws IllegalStateException when the binary is missing, cannot be run, or prints no version
     */
    public static String serverVersion(Path binDir) {
        Path postgres = binDir.resolve("postgres");
        if (!Files.isExecutable(postgres)) {
            throw new IllegalStateException("no executable " + postgres);
        }
        String out = exec(List.of(postgres.toString(), "--version"), isRoot(), null, () -> "");
        Matcher m = VERSION_OUTPUT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException(postgres + " --version printed no version: " + out.strip());
        }
        return m.group(1);
    }

    private String serverLogTail() {
        Path log = baseDir.resolve("server.log");
        try {
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                return "\n--- server.log (tail) ---\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
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

    /** @return {@code 127.0.0.1} */
    public String host() {
        return "127.0.0.1";
    }

    /** @return the TCP port */
    public int port() {
        return port;
    }

    /** @return the superuser, {@code postgres} */
    public String user() {
        return SUPERUSER;
    }

    /** @return the superuser's random password */
    public String password() {
        return password;
    }

    /** @return {@code postgres} */
    public String defaultDatabase() {
        return "postgres";
    }

    /**
     * @param database a database name
     * @return {@code jdbc:postgresql://127.0.0.1:PORT/database} (no credentials)
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** @return the server bin directory in use */
    public Path binDir() {
        return binDir;
    }

    /** @return the temp directory holding data, socket and server log; deleted by {@link #close()} */
    public Path baseDir() {
        return baseDir;
    }

    /** @return the data directory (for tests that edit pg_hba.conf or postgresql.conf) */
    public Path dataDir() {
        return dataDir;
    }

    /** @return the server log file */
    public Path serverLog() {
        return baseDir.resolve("server.log");
    }

    /** @return true when the cluster runs as the {@code postgres} OS user (the JVM is root) */
    public boolean runsAsPostgresUser() {
        return asPostgresUser;
    }

    /** @return e.g. {@code local binaries /usr/lib/postgresql/15/bin (as OS user postgres)} */
    public String describe() {
        return "local binaries " + binDir + (asPostgresUser ? " (as OS user postgres)" : "");
    }

    /** Same as {@link #close()}. */
    public void stop() {
        close();
    }

    /**
     * Idempotent: stops the server (fast; immediate and then SIGKILL of the postmaster if that fails) and
     * deletes the temp directory.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (Files.exists(dataDir.resolve("postmaster.pid"))) {
                try {
                    stopServer("fast");
                } catch (RuntimeException e) {
                    LOG.warn(
                            "fast stop of the PostgreSQL cluster failed ({}); stopping it immediately",
                            e.getMessage().lines().findFirst().orElse(""));
                    try {
                        stopServer("immediate");
                    } catch (RuntimeException e2) {
                        killPostmaster();
                    }
                }
            }
        } finally {
            deleteTree(baseDir);
            if (shutdownHook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
        }
    }

    private void killPostmaster() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            long pid = Long.parseLong(lines.get(0).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            LOG.warn("killed PostgreSQL postmaster pid {}", pid);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not kill the PostgreSQL postmaster: {}", e.getMessage());
        }
    }

    /**
     * Deletes a directory tree, best effort (what cannot be deleted stays).
     *
     * @param dir the directory; nothing happens when it does not exist
     */
    public static void deleteTree(Path dir) {
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

    @Override
    public String toString() {
        return "LocalPostgres[127.0.0.1:" + port + ", " + describe() + ", " + baseDir + "]";
    }
}

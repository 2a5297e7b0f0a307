package io.drasi.source.postgres.it.debeziumserver;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Debezium Server installation as a user would lay it out — the distribution's {@code run.sh}, runner jar and
 * {@code lib/}, our jars added to {@code lib/}, {@code config/application.properties} — in its own directory (the
 * distribution's files are symbolic links into the unpacked distribution, so it is never modified), started with
 * {@code run.sh} as a child process; {@code data/} (offsets) stays across {@link #start()}s, as on a real host.
 * Output goes to {@code server.log} in that directory.
 *
 * <p>Not thread-safe: one test drives it.
 */
final class DebeziumServerProcess implements AutoCloseable {

    private final Path dir;
    private final Path javaHome;
    private Process process;

    private DebeziumServerProcess(Path dir, Path javaHome) {
        this.dir = dir;
        this.javaHome = javaHome;
    }

    /**
     * @param home     the unpacked distribution ({@code debezium-server/})
     * @param ourJars  jars to add to {@code lib/}
     * @param config   {@code config/application.properties}
     * @param dir      the installation directory to create (must not exist)
     * @param javaHome the JDK to run it with (21+)
     */
    static DebeziumServerProcess install(
            Path home, List<Path> ourJars, Map<String, String> config, Path dir, Path javaHome) throws IOException {
        Files.createDirectories(dir.resolve("lib"));
        Files.createDirectories(dir.resolve("config"));
        Files.createDirectories(dir.resolve("data"));
        try (Stream<Path> s = Files.list(home)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.equals("run.sh")) {
                    Files.copy(p, dir.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                } else if (!name.equals("lib") && !name.equals("config") && !name.equals("data")) {
                    Files.createSymbolicLink(
                            dir.resolve(name), p); // runner jar, jmx/, lib_metrics/, lib_opt/, connectors/
                }
            }
        }
        try (Stream<Path> s = Files.list(home.resolve("lib"))) {
            for (Path jar : s.toList()) {
                Files.createSymbolicLink(dir.resolve("lib").resolve(jar.getFileName()), jar);
            }
        }
        Files.createSymbolicLink(dir.resolve("config/lib"), home.resolve("config/lib"));
        for (Path jar : ourJars) {
            Files.copy(jar, dir.resolve("lib").resolve(jar.getFileName()));
        }
        DebeziumServerProcess server = new DebeziumServerProcess(dir, javaHome);
        server.configure(config);
        return server;
    }

    /** (Re)writes {@code config/application.properties}; takes effect at the next {@link #start}. */
    void configure(Map<String, String> config) throws IOException {
        Properties p = new Properties();
        p.putAll(config);
        try (Writer w =
                Files.newBufferedWriter(dir.resolve("config/application.properties"), StandardCharsets.ISO_8859_1)) {
            p.store(w, "written by DebeziumServerTest from README.md's Debezium Server section");
        }
    }

    /** @return the installation directory */
    Path dir() {
        return dir;
    }

    /**
     * Starts {@code run.sh} with {@code JAVA_HOME} and {@code JAVA_OPTS} (a heap cap; the add-opens Java 24+ needs).
     *
     * @param env further environment variables (e.g. the password {@code application.properties} refers to)
     */
    void start(Map<String, String> env) throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        ProcessBuilder pb = new ProcessBuilder("bash", "run.sh")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("server.log").toFile()));
        pb.environment().putAll(env);
        pb.environment().put("JAVA_HOME", javaHome.toString());
        String opts = "-Xmx384m -XX:+UseSerialGC";
        if (DebeziumServerDist.feature(javaHome) >= 24) {
            opts += " --add-opens=java.base/java.lang=ALL-UNNAMED"; // else JBoss threads fail at shutdown
        }
        pb.environment().put("JAVA_OPTS", opts);
        process = pb.start();
        process.getOutputStream().close();
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "debezium-server-kill"));
    }

    /** @return whether the server process runs */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * SIGTERM (run.sh execs java, so the server itself) and waits for a clean exit; SIGKILL after 60 s.
     *
     * @return the exit code
     */
    int stop() throws InterruptedException {
        if (process == null) {
            return 0;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("Debezium Server did not stop within 60 s of SIGTERM\n" + logTail(60));
        }
        return process.exitValue();
    }

    /**
     * Waits for the server to exit by itself.
     *
     * @return the exit code
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("Debezium Server still runs after " + timeout + "\n" + logTail(60));
        }
        return process.exitValue();
    }

    /** @return the last {@code lines} lines of {@code server.log} */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve("server.log"), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no server.log: " + e.getMessage() + ")";
        }
    }

    /** @return the whole {@code server.log} */
    String log() throws IOException {
        return Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
    }

    /** Waits until {@code log()} contains {@code text}; fails when the server exits first or after {@code timeout}. */
    void awaitLog(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (!isAlive()) {
                throw new AssertionError("Debezium Server exited (" + process.exitValue() + ") before logging '" + text
                        + "'\n" + logTail(80));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "Debezium Server did not log '" + text + "' within " + timeout + "\n" + logTail(80));
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (isAlive()) {
            stop();
        }
    }
}

package io.drasi.source.postgres.it.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real shaded {@code cli/target/drasi-pg.jar} as a child process, stdout and stderr to files. */
public final class CliProcess {

    private final Process process;
    private final Path out;
    private final Path err;

    private CliProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    public static Path jar() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p : List.of(here.resolve("../cli/target/drasi-pg.jar"), here.resolve("cli/target/drasi-pg.jar"))) {
            if (Files.isRegularFile(p)) {
                return p.normalize();
            }
        }
        throw new AssertionError("cli/target/drasi-pg.jar not found from " + here
                + ": build it first (./mvnw -pl cli -am package -DskipTests; the reactor builds it before it-tests)");
    }

    /** True when this JVM inherited SIGINT ignored ({@code /proc/self/status} SigIgn); a child would inherit it. */
    private static final boolean SIGINT_IGNORED = sigintIgnored();

    private static boolean sigintIgnored() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("SigIgn:"))
                    .anyMatch(l ->
                            (Long.parseLong(l.substring("SigIgn:".length()).trim(), 16) & (1L << 1)) != 0);
        } catch (IOException | RuntimeException e) {
            return false; // not Linux: nothing to correct
        }
    }

    /**
     * @param dir     working directory; output files are created in a fresh subdirectory
     * @param jvmArgs JVM options (e.g. log levels)
     * @param env     extra environment variables
     * @param args    drasi-pg arguments
     */
    public static CliProcess start(Path dir, List<String> jvmArgs, Map<String, String> env, String... args)
            throws IOException {
        Path runDir = Files.createTempDirectory(dir, "run");
        List<String> cmd = new ArrayList<>();
        if (SIGINT_IGNORED) {
            // a JVM installs no Ctrl-C handler when it inherits SIGINT ignored (a test run started in the background
            // by sh): give the CLI the default disposition a terminal would, so a SIGINT test tests the CLI
            cmd.addAll(List.of("env", "--default-signal=INT"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(runDir.resolve("out").toFile())
                .redirectError(runDir.resolve("err").toFile());
        pb.environment().remove("DRASI_PG_URL");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        return new CliProcess(p, runDir.resolve("out"), runDir.resolve("err"));
    }

    /**
     * {@code drasi-pg stream --config <config> --offsets <offsets> --progress-interval 0 <more>} in {@code dir}, with
     * no extra JVM options or environment: the stream most CLI tests run (no periodic progress line on stderr).
     *
     * @param offsets an offsets file, or {@code memory}
     * @param more    further arguments ({@code --bootstrap}, {@code --metrics-port 0}, ...)
     */
    public static CliProcess stream(Path dir, Path config, String offsets, String... more) throws IOException {
        List<String> args = new ArrayList<>(
                List.of("stream", "--config", config.toString(), "--offsets", offsets, "--progress-interval", "0"));
        args.addAll(List.of(more));
        return start(dir, List.of(), Map.of(), args.toArray(String[]::new));
    }

    public Process process() {
        return process;
    }

    /** @return the file stdout goes to */
    public Path outFile() {
        return out;
    }

    public String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    public String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** @return the non-blank lines of stdout */
    public List<String> lines() throws IOException {
        return stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * Waits for the exit; after {@code timeout} takes a thread dump ({@code jcmd PID Thread.print}), kills the
     * process and fails with the dump and stderr.
     */
    public int await(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            String threads = threadDump();
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(
                    "drasi-pg did not finish within " + timeout + "\nstderr:\n" + stderr() + "\nthreads:\n" + threads);
        }
        return process.exitValue();
    }

    private String threadDump() {
        try {
            Process jcmd = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "jcmd")
                                    .toString(),
                            Long.toString(process.pid()),
                            "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            byte[] out = jcmd.getInputStream().readAllBytes();
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no thread dump: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }

    /**
     * Waits until the CLI reports that it streams (stderr shows {@code streaming}), at most 60 s: the moment from
     * which a test's writes are streamed rather than bootstrapped.
     */
    public void awaitStreaming() throws Exception {
        awaitStderr("streaming", Duration.ofSeconds(60));
    }

    /** Waits until stderr contains {@code text}; fails when the process exits first or after {@code timeout}. */
    public void awaitStderr(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stderr().contains(text)) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("stderr never showed '" + text + "'\nstderr:\n" + stderr());
            }
            Thread.sleep(50);
        }
    }

    /** SIGTERM, then waits; SIGKILL after 60 s. */
    public int stop() throws Exception {
        process.destroy();
        return await(Duration.ofSeconds(60));
    }

    /**
     * {@link #sourceYaml(Path, io.drasi.source.postgres.testing.PostgresServer, String, String, String, String, String,
     * List, String...)} in a new file of {@code dir}, with the database's own user and password and the publication
     * {@code <slot>_pub}.
     */
    public static Path sourceYaml(
            Path dir,
            io.drasi.source.postgres.testing.PostgresServer db,
            String id,
            String slot,
            List<String> tables,
            String... extraLines)
            throws IOException {
        return sourceYaml(
                Files.createTempFile(dir, "source", ".yaml"),
                db,
                id,
                db.user(),
                db.password(),
                slot,
                slot + "_pub",
                tables,
                extraLines);
    }

    /**
     * Writes a drasi-server postgres source entry for the CLI tests (one place for its shape).
     *
     * @param file        where to write it
     * @param db          the database
     * @param id          the source id
     * @param user        the user
     * @param password    the password, or a {@code ${VAR}} reference
     * @param slot        the slot name
     * @param publication the publication name
     * @param tables      the captured tables
     * @param extraLines  further {@code key: value} lines
     * @return {@code file}
     */
    public static Path sourceYaml(
            Path file,
            io.drasi.source.postgres.testing.PostgresServer db,
            String id,
            String user,
            String password,
            String slot,
            String publication,
            List<String> tables,
            String... extraLines)
            throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "kind: postgres",
                "id: " + id,
                "host: " + db.host(),
                "port: " + db.port(),
                "database: " + db.database(),
                "user: " + user,
                "password: " + password,
                "tables: [" + String.join(", ", tables) + "]",
                "slotName: " + slot,
                "publicationName: " + publication));
        lines.addAll(List.of(extraLines));
        lines.add("");
        Files.writeString(file, String.join("\n", lines));
        return file;
    }
}

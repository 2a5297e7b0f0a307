package io.drasi.source.postgres.it.kafkaconnect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java program of Kafka's (broker, storage tool, Connect worker) run as a child process, as Kafka's own scripts
 * run it: this JVM's {@code java}, a class path, a main class and its arguments. Standard output and error are
 * appended to one log file. A JVM shutdown hook kills it if a test leaves it running.
 *
 * <p>Not thread-safe: one test drives it.
 */
final class JvmProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Path dir;
    private final Path log;
    private Process process;

    /**
     * @param name      what it is, for messages ({@code "Kafka broker"})
     * @param classPath the class path ({@code File.pathSeparator}-separated)
     * @param jvmOptions options before the main class (heap, system properties)
     * @param mainClass the main class
     * @param args      its arguments
     * @param dir       the working directory
     * @param log       the log file (appended to)
     */
    JvmProcess(
            String name,
            String classPath,
            List<String> jvmOptions,
            String mainClass,
            List<String> args,
            Path dir,
            Path log) {
        this.name = name;
        this.dir = dir;
        this.log = log;
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(jvmOptions);
        c.add("-cp");
        c.add(classPath);
        c.add(mainClass);
        c.addAll(args);
        this.command = List.copyOf(c);
    }

    /** Starts the process; fails when it runs already. */
    void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(name + " runs already");
        }
        Files.createDirectories(log.getParent());
        Files.writeString(
                log,
                "---- " + Instant.now() + " starting " + name + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        process.getOutputStream().close();
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, name + "-kill"));
    }

    /**
     * Runs the program to its end (a tool such as Kafka's storage format).
     *
     * @return its output
     * @throws AssertionError when it exits with another code than 0 or runs longer than {@code timeout}
     */
    String run(Duration timeout) throws IOException, InterruptedException {
        start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(name + " did not finish within " + timeout + "\n" + logTail(40));
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(name + " exited with " + process.exitValue() + "\n" + logTail(40));
        }
        return log();
    }

    /** @return whether the process runs */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** @return the process id; the process must have been started */
    long pid() {
        return process.pid();
    }

    /**
     * SIGTERM (Kafka's shutdown hooks stop it cleanly) and waits for the exit; SIGKILL after {@code timeout}.
     *
     * @return the exit code (143 after a SIGTERM)
     */
    int stop(Duration timeout) throws InterruptedException {
        if (process == null) {
            return 0;
        }
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(name + " did not stop within " + timeout + " of SIGTERM\n" + logTail(60));
        }
        return process.exitValue();
    }

    /** SIGKILL, as a crash of the host would end it, and waits for the exit. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** @return the whole log */
    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** @return the log's size in characters, to look only at what is written after this */
    int logLength() throws IOException {
        return log().length();
    }

    /** @return the last {@code lines} lines of the log */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "---- " + name + ": " + log + " (last " + lines + " lines) ----\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log " + log + ": " + e.getMessage() + ")";
        }
    }

    /**
     * Waits until the log, from character {@code from} on, contains {@code text}; fails when the process exits first
     * or after {@code timeout}.
     */
    void awaitLog(String text, int from, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String all = log();
            if (all.length() > from && all.substring(from).contains(text)) {
                return;
            }
            if (!isAlive()) {
                throw new AssertionError(
                        name + " exited (" + process.exitValue() + ") before logging '" + text + "'\n" + logTail(80));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not log '" + text + "' within " + timeout + "\n" + logTail(80));
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (isAlive()) {
            try {
                stop(Duration.ofSeconds(30));
            } catch (AssertionError e) {
                System.err.println(e.getMessage()); // killed; the test's own failure (if any) is the one to see
            }
        }
    }
}

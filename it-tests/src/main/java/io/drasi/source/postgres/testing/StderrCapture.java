package io.drasi.source.postgres.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Captures what is written to {@link System#err} (where the tests' slf4j-simple logs) while a piece of a test runs,
 * and replays it afterwards, so a test can check what was logged.
 *
 * <p>Thread-safety: swaps the JVM-wide {@code System.err}; for tests that run one at a time.
 */
public final class StderrCapture {

    /** The part of a test to run. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private StderrCapture() {}

    /**
     * @param body what to run; never null
     * @return everything written to {@code System.err} meanwhile (also when {@code body} throws, then replayed only)
     * @throws Exception what {@code body} throws
     */
    public static String during(Body body) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
            original.print(captured.toString(StandardCharsets.UTF_8));
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}

package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.mapping.json.JsonLines;
import io.drasi.source.postgres.model.SourceChange;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.UncheckedIOException;

/**
 * The data channel: UTF-8 lines on stdout, encoded straight into a 64 KiB byte buffer ({@link JsonLines}), written
 * out when it fills and on {@link #flush()}. Thread-safe (one lock; callers that write many lines take it once).
 */
final class Stdout {

    private static final JsonLines OUT =
            new JsonLines(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));

    private Stdout() {}

    /** Writes one line of text (no newline inside). */
    static void line(String s) {
        synchronized (OUT) {
            try {
                OUT.raw(s);
            } catch (UncheckedIOException e) {
                throw failed(e);
            }
        }
    }

    /**
     * Writes one change in {@code format}.
     *
     * @return false (nothing written) for a TRUNCATE in a format that has no form for it
     */
    static boolean change(OutputFormat format, SourceChange change, long lsn, String db) {
        // no lambda per change: one call chain the JIT compiles once (issue 19)
        synchronized (OUT) {
            try {
                return format.write(OUT, change, lsn, db);
            } catch (UncheckedIOException e) {
                throw failed(e);
            }
        }
    }

    /** Pushes everything written so far to stdout (returns after the write(2) calls). */
    static void flush() {
        synchronized (OUT) {
            try {
                OUT.flush();
            } catch (UncheckedIOException e) {
                throw failed(e);
            }
        }
    }

    /** The lock to hold while writing many lines at once through {@link #line} / {@link #change}. */
    static Object lock() {
        return OUT;
    }

    private static UncheckedIOException failed(UncheckedIOException e) {
        return new UncheckedIOException(
                "writing to stdout failed (closed pipe?): " + e.getCause().getMessage(), e.getCause());
    }
}

package io.drasi.source.postgres.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** The data channel: UTF-8 lines on stdout, buffered, flushed per batch. Thread-safe. */
final class Stdout {

    private static final Writer OUT = new BufferedWriter(
            new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16);

    private Stdout() {
    }

    static void line(String s) {
        synchronized (OUT) {
            try {
                OUT.write(s);
                OUT.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("writing to stdout failed (closed pipe?): " + e.getMessage(), e);
            }
        }
    }

    static void flush() {
        synchronized (OUT) {
            try {
                OUT.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("writing to stdout failed (closed pipe?): " + e.getMessage(), e);
            }
        }
    }
}

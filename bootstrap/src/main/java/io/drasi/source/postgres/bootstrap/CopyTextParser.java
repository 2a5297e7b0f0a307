package io.drasi.source.postgres.bootstrap;

import java.nio.charset.StandardCharsets;

/**
 * Splits one row of PostgreSQL's {@code COPY ... TO STDOUT} text format (one CopyData message: fields
 * separated by TAB, terminated by LF, {@code \N} for NULL, backslash escapes) into field strings.
 * The bytes are UTF-8 (pgjdbc always sets {@code client_encoding=UTF8}).
 *
 * <p>Thread-safety: not thread-safe (keeps a scratch buffer); use one per reader.
 */
final class CopyTextParser {

    private byte[] scratch = new byte[256];

    /**
     * @param row     one CopyData message, with or without the trailing LF
     * @param columns expected field count
     * @param out     receives the fields; NULL as Java null; length {@code >= columns}
     * @throws IllegalStateException when the row has a different number of fields
     */
    void parse(byte[] row, int columns, String[] out) {
        int end = row.length;
        if (end > 0 && row[end - 1] == '\n') {
            end--;
        }
        int field = 0;
        int start = 0;
        while (true) {
            if (field >= columns) {
                throw new IllegalStateException("COPY row has more than the expected " + columns + " fields");
            }
            int i = start;
            boolean escaped = false;
            while (i < end && row[i] != '\t') {
                if (row[i] == '\\') {
                    escaped = true;
                    i++; // skip the escaped byte (a TAB after a backslash is never produced, but be safe)
                }
                i++;
            }
            if (i > end) {
                i = end;
            }
            out[field++] =
                    escaped ? unescape(row, start, i) : new String(row, start, i - start, StandardCharsets.UTF_8);
            if (i >= end) {
                break;
            }
            start = i + 1;
        }
        if (field != columns) {
            throw new IllegalStateException("COPY row has " + field + " fields, expected " + columns);
        }
    }

    private String unescape(byte[] b, int from, int to) {
        if (to - from == 2 && b[from] == '\\' && b[from + 1] == 'N') {
            return null;
        }
        if (scratch.length < to - from) {
            scratch = new byte[Math.max(to - from, scratch.length * 2)];
        }
        int n = 0;
        int i = from;
        while (i < to) {
            byte c = b[i++];
            if (c != '\\' || i >= to) {
                scratch[n++] = c;
                continue;
            }
            byte e = b[i++];
            switch (e) {
                case 'b' -> scratch[n++] = '\b';
                case 'f' -> scratch[n++] = '\f';
                case 'n' -> scratch[n++] = '\n';
                case 'r' -> scratch[n++] = '\r';
                case 't' -> scratch[n++] = '\t';
                case 'v' -> scratch[n++] = 0x0B;
                case 'x' -> {
                    int v = 0;
                    int digits = 0;
                    while (digits < 2 && i < to && hex(b[i]) >= 0) {
                        v = v * 16 + hex(b[i++]);
                        digits++;
                    }
                    scratch[n++] = digits == 0 ? (byte) 'x' : (byte) v;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        int digits = 1;
                        while (digits < 3 && i < to && b[i] >= '0' && b[i] <= '7') {
                            v = v * 8 + (b[i++] - '0');
                            digits++;
                        }
                        scratch[n++] = (byte) v;
                    } else {
                        scratch[n++] = e; // \\ and any other escaped byte stand for themselves
                    }
                }
            }
        }
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}

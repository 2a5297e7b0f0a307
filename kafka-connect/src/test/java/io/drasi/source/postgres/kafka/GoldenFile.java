package io.drasi.source.postgres.kafka;

import io.drasi.source.postgres.mapping.GoldenCases;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a mapping-module golden file from the classpath (the mapping test-jar): one
 * {@code {"record":..}} line per record, each followed by the seed JSON of the changes it yields.
 */
final class GoldenFile {

    /**
     * @param recordLine the {@code {"record":..}} line
     * @param changes    the seed JSON lines that follow it
     */
    record Group(String recordLine, List<String> changes) {
        boolean hasUnavailable() {
            return !recordLine.contains("\"unavailable\":[]");
        }
    }

    private GoldenFile() {
    }

    static List<Group> groups(GoldenCases.Case c) {
        String text;
        try (InputStream in = GoldenFile.class.getResourceAsStream("/golden/" + c.file())) {
            if (in == null) {
                throw new AssertionError("golden/" + c.file() + " not on the classpath (mapping test-jar)");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Group> groups = new ArrayList<>();
        String current = null;
        List<String> changes = null;
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("{\"record\":")) {
                if (current != null) {
                    groups.add(new Group(current, List.copyOf(changes)));
                }
                current = line;
                changes = new ArrayList<>();
            } else {
                changes.add(line);
            }
        }
        if (current != null) {
            groups.add(new Group(current, List.copyOf(changes)));
        }
        if (groups.size() != c.records().size()) {
            throw new AssertionError(c.file() + ": " + groups.size() + " record lines for " + c.records().size() + " records");
        }
        return groups;
    }
}

package io.drasi.source.postgres.kafka;

import io.drasi.source.postgres.mapping.GoldenCases;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Reads a mapping-module golden file from the classpath (the mapping test-jar): one
 * {@code {"record":..}} line per record, each followed by the seed JSON of the changes it yields.
 */
final class GoldenFile {

    /**
     * @param index      the record's index in the case
     * @param record     the Debezium record of the case
     * @param recordLine the {@code {"record":..}} line
     * @param changes    the seed JSON lines that follow it
     */
    record Group(int index, SourceRecord record, String recordLine, List<String> changes) {
        boolean hasUnavailable() {
            return !recordLine.contains("\"unavailable\":[]");
        }
    }

    private GoldenFile() {}

    /** @return one group per record of the case, in order, each with its record */
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
        List<String> recordLines = new ArrayList<>();
        List<List<String>> changes = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("{\"record\":")) {
                recordLines.add(line);
                changes.add(new ArrayList<>());
            } else {
                changes.get(changes.size() - 1).add(line);
            }
        }
        if (recordLines.size() != c.records().size()) {
            throw new AssertionError(c.file() + ": " + recordLines.size() + " record lines for "
                    + c.records().size() + " records");
        }
        List<Group> groups = new ArrayList<>();
        for (int i = 0; i < recordLines.size(); i++) {
            groups.add(new Group(i, c.records().get(i), recordLines.get(i), List.copyOf(changes.get(i))));
        }
        return groups;
    }
}

package io.drasi.source.postgres.reliability;

import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.mapping.json.SeedJson;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.streaming.DrasiState;
import io.drasi.source.postgres.streaming.StreamingTestSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Replays a {@link RecordingStreamer} output file the way a host that dedupes by position would, and
 * counts raw duplicates (changes delivered again after a crash).
 */
final class FaultLog {

    private final DrasiState model = new DrasiState();
    /** Element id → properties after applying every change once (deduplicated by position). */
    final Map<String, Map<String, ElementValue>> state = model.elements;

    long lines;
    long duplicates;
    long bootstraps;
    final java.util.List<String> anomalies = new java.util.ArrayList<>();
    /** element id → every applied (position kind) of it, for explaining anomalies */
    private final Map<String, java.util.List<String>> history = new java.util.HashMap<>();

    static FaultLog replay(Path file) throws IOException {
        FaultLog log = new FaultLog();
        String[] last = null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                continue; // a line torn by SIGKILL (never acknowledged)
            }
            String[] pos = line.substring(0, tab).split(":");
            SourceChange change;
            try {
                change = SeedJson.decode(line.substring(tab + 1));
            } catch (RuntimeException e) {
                continue; // torn line
            }
            log.lines++;
            boolean bootstrapStart = pos[0].equals("0/0") && pos[1].equals("0/0") && pos[2].equals("0");
            if (bootstrapStart) {
                // a (re-)bootstrap after a crash during the first one: a fresh snapshot replaces the state
                log.bootstraps++;
                log.state.clear();
                log.history.values().forEach(h -> h.add("BOOTSTRAP#" + log.lines));
            } else if (last != null && compare(pos, last) <= 0) {
                log.duplicates++;
                continue;
            }
            last = pos;
            log.apply(change, String.join(":", pos), log.lines);
        }
        return log;
    }

    private static int compare(String[] a, String[] b) {
        int c = Lsn.parse(a[0]).compareTo(Lsn.parse(b[0]));
        if (c == 0) {
            c = Lsn.parse(a[1]).compareTo(Lsn.parse(b[1]));
        }
        return c != 0 ? c : Long.compare(Long.parseLong(a[2]), Long.parseLong(b[2]));
    }

    private void apply(SourceChange c, String pos, long line) {
        String id = StreamingTestSupport.id(c);
        String anomaly = model.apply(c);
        if (anomaly != null) {
            anomalies.add(anomaly + " at line " + line + " " + pos + "; before: " + history.get(id));
        }
        history.computeIfAbsent(id, k -> new java.util.ArrayList<>())
                .add(StreamingTestSupport.kind(c) + "@" + pos + "#" + line);
    }
}

package io.drasi.source.postgres.http;

import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.mapping.json.HostPushJson;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A deterministic change stream for sink tests: every change unique (a {@code seq} property / timestamp). */
final class TestChanges {

    private static final long T0 = System.currentTimeMillis();

    private TestChanges() {}

    /**
     * @param n how many changes: per key 0..9, insert then updates, every 7th change a delete
     * @return the changes with increasing positions
     */
    static List<PositionedChange> stream(int n) {
        List<PositionedChange> out = new ArrayList<>();
        Map<Integer, Boolean> exists = new LinkedHashMap<>();
        for (int seq = 0; seq < n; seq++) {
            int key = seq % 10;
            SourceChange c;
            if (!exists.getOrDefault(key, false)) {
                c = new SourceChange.Insert(node(key, seq));
                exists.put(key, true);
            } else if (seq % 7 == 0) {
                c = new SourceChange.Delete(meta(key, seq));
                exists.put(key, false);
            } else {
                c = new SourceChange.Update(node(key, seq));
            }
            out.add(positioned(c, seq));
        }
        return out;
    }

    static PositionedChange positioned(SourceChange c, long seq) {
        return new PositionedChange(c, new ChangePosition(seq + 1, Lsn.of(1000 + seq), Lsn.of(2000 + seq), 0));
    }

    static ElementMetadata meta(int key, long seq) {
        return new ElementMetadata(
                ElementId.of("public", "items", List.of(Integer.toString(key))),
                "pg-source",
                List.of("items"),
                T0 + seq);
    }

    static Node node(int key, long seq) {
        Map<String, ElementValue> p = new LinkedHashMap<>();
        p.put("id", new ElementValue.IntValue(key));
        p.put("seq", new ElementValue.IntValue(seq));
        return new Node(meta(key, seq), p);
    }

    /** @return the keys the fake server will see: each event's JSON, as {@link HostPushJson} encodes it */
    static List<String> keys(List<PositionedChange> changes) {
        return changes.stream().map(c -> HostPushJson.encode(c.change())).toList();
    }

    /** @return the final model (id → seq) after applying the changes */
    static Map<String, Long> finalState(List<PositionedChange> changes) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (PositionedChange pc : changes) {
            if (pc.change() instanceof SourceChange.Delete d) {
                m.remove(d.metadata().elementId().value());
            } else {
                Node nd = pc.change() instanceof SourceChange.Insert i
                        ? i.element()
                        : ((SourceChange.Update) pc.change()).element();
                m.put(
                        nd.metadata().elementId().value(),
                        ((ElementValue.IntValue) nd.properties().get("seq")).value());
            }
        }
        return m;
    }
}

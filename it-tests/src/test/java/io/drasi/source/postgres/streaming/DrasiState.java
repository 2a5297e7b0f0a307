package io.drasi.source.postgres.streaming;

import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Applies Drasi changes to a map of element id → properties, counting anomalies (duplicate inserts, ghost updates). */
public final class DrasiState {

    /** Element id → properties. */
    public final Map<String, Map<String, ElementValue>> elements = new TreeMap<>();
    /**
     * Relation id → "label: in_node -> out_node properties" (foreign_key_relations). An Update of an unknown relation
     * upserts it and a Delete of an unknown one is a no-op, as in Drasi's element index: without an old image the
     * source may send either.
     */
    public final Map<String, String> relations = new TreeMap<>();
    /** What {@link #apply(List)} found wrong, in order. */
    public final List<String> anomalies = new ArrayList<>();

    /**
     * The state Drasi should hold for a table whose key is {@code id} and whose columns are int or text:
     * element id → properties, read with {@code SELECT *}.
     */
    static Map<String, Map<String, ElementValue>> expectedFromSelect(
            io.drasi.source.postgres.testing.PostgresServer db, String table) {
        return expectedFromSelect(db, "SELECT * FROM " + table, table, "id");
    }

    /**
     * The state Drasi should hold for the rows {@code select} returns (int, text or NULL columns): element id
     * {@code public:<label>:<key values>} → properties.
     */
    static Map<String, Map<String, ElementValue>> expectedFromSelect(
            io.drasi.source.postgres.testing.PostgresServer db, String select, String label, String... keyColumns) {
        Map<String, Map<String, ElementValue>> expected = new TreeMap<>();
        for (Map<String, Object> row : db.query(select)) {
            Map<String, ElementValue> props = new java.util.LinkedHashMap<>();
            row.forEach((column, value) -> props.put(
                    column,
                    value == null
                            ? ElementValue.NULL
                            : value instanceof Integer i
                                    ? new ElementValue.IntValue(i)
                                    : new ElementValue.StringValue((String) value)));
            StringBuilder id = new StringBuilder("public:" + label);
            for (String k : keyColumns) {
                id.append(':').append(row.get(k));
            }
            expected.put(id.toString(), props);
        }
        return expected;
    }

    /**
     * Applies everything the sink received (bootstrap rows included) until the state equals {@code expected}
     * or {@code timeout} passed.
     *
     * @return the last state built
     */
    public static DrasiState awaitEqual(
            RecordingSink sink, Map<String, Map<String, ElementValue>> expected, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        DrasiState state;
        do {
            state = of(sink.changes());
            if (state.elements.equals(expected)) {
                break;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return state;
    }

    /** @return the state after applying {@code changes} to an empty one */
    public static DrasiState of(List<SourceChange> changes) {
        DrasiState state = new DrasiState();
        state.apply(changes);
        return state;
    }

    /** Applies every change in order, noting each anomaly. */
    public void apply(List<SourceChange> changes) {
        for (SourceChange c : changes) {
            String anomaly = apply(c);
            if (anomaly != null) {
                anomalies.add(anomaly);
            }
        }
    }

    /**
     * Applies one change as a host would: an Insert or Update puts the element's properties, a Delete removes the
     * element, a Truncate every element of its table.
     *
     * @return what is wrong with the change given the state before it (an Insert of an element already there, an
     *         Update or Delete of one that is not), or null
     */
    public String apply(SourceChange c) {
        String id = StreamingTestSupport.id(c);
        return c.fold(
                i -> elements.put(id, i.element().properties()) != null ? "duplicate Insert " + id : null,
                u -> elements.put(id, u.element().properties()) == null ? "Update of unknown " + id : null,
                d -> elements.remove(id) == null ? "Delete of unknown " + id : null,
                t -> {
                    elements.keySet().removeIf(k -> k.startsWith(t.elementIdPrefix()));
                    relations.keySet().removeIf(k -> k.startsWith(t.elementIdPrefix()));
                    return null;
                },
                r -> r.foldRelation(
                        ri -> relations.put(id, describe(ri.element())) != null
                                ? "duplicate relation Insert " + id
                                : null,
                        ru -> {
                            relations.put(id, describe(ru.element()));
                            return null;
                        },
                        rd -> {
                            relations.remove(id);
                            return null;
                        }));
    }

    /** @return how {@link #relations} shows a relation */
    public static String describe(io.drasi.source.postgres.model.Relation r) {
        return r.metadata().labels().get(0) + ": " + r.inNode() + " -> " + r.outNode() + " "
                + new java.util.TreeMap<>(r.properties());
    }
}

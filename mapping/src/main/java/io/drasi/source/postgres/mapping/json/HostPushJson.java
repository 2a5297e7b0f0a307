package io.drasi.source.postgres.mapping.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;

import java.io.IOException;
import java.util.List;

/**
 * The drasi-lib / drasi-server HTTP source event shape (standard mode), for pushing changes to
 * {@code POST /sources/{id}/events} or {@code /events/batch}:
 * <pre>{"operation":"insert","element":{"type":"node","id":"public:users:1","labels":["users"],
 *  "properties":{...}},"timestamp":1699900000000000000}
 * {"operation":"delete","id":"public:users:1","labels":["users"],"timestamp":...}</pre>
 * {@code timestamp} is effective_from in <em>nanoseconds</em>. A batch is {@code {"events":[...]}}.
 * A {@link SourceChange.Truncate} has no event form and is rejected with
 * {@link IllegalArgumentException}; expand it into deletes first.
 *
 * <p>Thread-safety: stateless; safe for concurrent use.
 */
public final class HostPushJson {

    private static final String OPERATION = "operation";
    private static final String ELEMENT = "element";
    private static final String TYPE = "type";
    private static final String TYPE_NODE = "node";
    private static final String ID = "id";
    private static final String LABELS = "labels";
    private static final String PROPERTIES = "properties";
    private static final String TIMESTAMP = "timestamp";
    private static final String EVENTS = "events";

    private HostPushJson() {
    }

    /**
     * @param change an Insert, Update or Delete; never null
     * @return one event as compact JSON
     * @throws IllegalArgumentException for a Truncate
     */
    public static String encode(SourceChange change) {
        return Codecs.toJson(g -> write(g, change));
    }

    /**
     * @param changes Inserts, Updates and Deletes, in order; never null
     * @return the batch body {@code {"events":[...]}}
     * @throws IllegalArgumentException if a change is a Truncate
     */
    public static String encodeBatch(List<? extends SourceChange> changes) {
        return Codecs.toJson(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart(EVENTS);
            for (SourceChange c : changes) {
                write(g, c);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** Writes one event (an Insert, Update or Delete) at the generator's position. */
    static void write(JsonGenerator g, SourceChange change) throws IOException {
        String operation = change.fold(i -> "insert", u -> "update", d -> "delete", t -> {
            throw new IllegalArgumentException("TRUNCATE has no drasi-lib HTTP event form; expand it into deletes");
        });
        g.writeStartObject();
        g.writeStringField(OPERATION, operation);
        if (change instanceof SourceChange.Delete d) {
            writeIdAndLabels(g, d.metadata());
        } else {
            Node n = change.node().orElseThrow();
            g.writeObjectFieldStart(ELEMENT);
            g.writeStringField(TYPE, TYPE_NODE);
            writeIdAndLabels(g, n.metadata());
            g.writeFieldName(PROPERTIES);
            ElementValueJson.writeObject(g, n.properties());
            g.writeEndObject();
        }
        g.writeNumberField(TIMESTAMP, Math.multiplyExact(change.effectiveFromMs(), 1_000_000L));
        g.writeEndObject();
    }

    private static void writeIdAndLabels(JsonGenerator g, ElementMetadata m) throws IOException {
        g.writeStringField(ID, m.elementId().value());
        Codecs.writeLabels(g, LABELS, m.labels());
    }
}

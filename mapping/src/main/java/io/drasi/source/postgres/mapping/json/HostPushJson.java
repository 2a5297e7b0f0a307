package io.drasi.source.postgres.mapping.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.Relation;
import io.drasi.source.postgres.model.SourceChange;
import java.io.IOException;
import java.util.List;

/**
 * The drasi-lib / drasi-server HTTP source event shape (standard mode), for pushing changes to
 * {@code POST /sources/{id}/events} or {@code /events/batch}:
 * <pre>{"operation":"insert","element":{"type":"node","id":"public:users:1","labels":["users"],
 *  "properties":{...}},"timestamp":1699900000000000000}
 * {"operation":"delete","id":"public:users:1","labels":["users"],"timestamp":...}</pre>
 * A relation is {@code {"operation":"insert","element":{"type":"relation","id":..,"labels":[..],"from":"<start =
 * in_node, the row holding the foreign key>","to":"<end = out_node>","properties":{..}},"timestamp":..}}; its
 * delete is written like a node's.
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
    private static final String TYPE_RELATION = "relation";
    private static final String FROM = "from";
    private static final String TO = "to";
    private static final String ID = "id";
    private static final String LABELS = "labels";
    private static final String PROPERTIES = "properties";
    private static final String TIMESTAMP = "timestamp";
    private static final String EVENTS = "events";

    private HostPushJson() {}

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
        String operation = change.fold(
                i -> "insert",
                u -> "update",
                d -> "delete",
                t -> {
                    throw new IllegalArgumentException(
                            "TRUNCATE has no drasi-lib HTTP event form; expand it into deletes");
                },
                r -> r.foldRelation(ri -> "insert", ru -> "update", rd -> "delete"));
        g.writeStartObject();
        g.writeStringField(OPERATION, operation);
        if (change instanceof SourceChange.Delete d) {
            writeIdAndLabels(g, d.metadata());
        } else if (change instanceof SourceChange.RelationChange r) {
            Relation relation = r.relation().orElse(null);
            if (relation == null) {
                writeIdAndLabels(g, r.metadata());
            } else {
                g.writeObjectFieldStart(ELEMENT);
                g.writeStringField(TYPE, TYPE_RELATION);
                writeIdAndLabels(g, relation.metadata());
                g.writeStringField(FROM, relation.inNode().value());
                g.writeStringField(TO, relation.outNode().value());
                g.writeFieldName(PROPERTIES);
                ElementValueJson.writeObject(g, relation.properties());
                g.writeEndObject();
            }
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

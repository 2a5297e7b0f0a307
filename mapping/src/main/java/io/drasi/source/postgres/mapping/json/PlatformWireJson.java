package io.drasi.source.postgres.mapping.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.Relation;
import io.drasi.source.postgres.model.SourceChange;
import java.io.IOException;
import java.util.Map;

/**
 * The Drasi platform (Kubernetes) source wire format, one JSON object per change, as consumed from the
 * platform's Java source SDK:
 * <pre>{"op":"i","reactivatorStart_ns":..,"reactivatorEnd_ns":..,"payload":{"source":{"db":"mydb",
 *  "table":"node","lsn":123,"ts_ns":1699900000000000000},"after":{"id":"public:users:1",
 *  "labels":["users"],"properties":{...}}}}</pre>
 * Deletes carry {@code before} with id and labels only (no properties, as the platform SDK writes it)
 * instead of {@code after}. A relation has {@code "table":"rel"} and {@code after}/{@code before} =
 * {@code {"id","labels","properties","startId","endId"}} with {@code startId} = its start ({@code in_node}, the row
 * holding the foreign key); its delete carries id and labels (the change router routes on labels) and empty
 * {@code startId}/{@code endId}, as the platform SDK writes it. {@code ts_ns} is the
 * change's effective_from in nanoseconds. A {@link SourceChange.Truncate} has no wire form: the caller
 * must expand it (e.g. into deletes) and gets an {@link IllegalArgumentException} here.
 *
 * <p>Thread-safety: stateless; safe for concurrent use.
 */
public final class PlatformWireJson {

    private static final String OP = "op";
    private static final String REACTIVATOR_START_NS = "reactivatorStart_ns";
    private static final String REACTIVATOR_END_NS = "reactivatorEnd_ns";
    private static final String PAYLOAD = "payload";
    private static final String SOURCE = "source";
    private static final String DB = "db";
    private static final String TABLE = "table";
    private static final String TABLE_NODE = "node";
    private static final String TABLE_RELATION = "rel";
    private static final String START_ID = "startId";
    private static final String END_ID = "endId";
    private static final String LSN = "lsn";
    private static final String TS_NS = "ts_ns";
    private static final String AFTER = "after";
    private static final String BEFORE = "before";
    private static final String ID = "id";
    private static final String LABELS = "labels";
    private static final String PROPERTIES = "properties";

    private PlatformWireJson() {}

    /**
     * @param change             an Insert, Update or Delete; never null
     * @param lsn                the change's LSN
     * @param reactivatorStartNs when the reactivator received the change, ns since the epoch
     * @param reactivatorEndNs   when it was published, ns since the epoch
     * @param db                 the database name; never null
     * @return compact JSON
     * @throws IllegalArgumentException for a Truncate
     */
    public static String encode(
            SourceChange change, long lsn, long reactivatorStartNs, long reactivatorEndNs, String db) {
        return Codecs.toJson(g -> write(g, change, lsn, reactivatorStartNs, reactivatorEndNs, db));
    }

    /** As {@link #encode}, at the generator's position. */
    static void write(
            JsonGenerator g, SourceChange change, long lsn, long reactivatorStartNs, long reactivatorEndNs, String db)
            throws IOException {
        String op = change.fold(
                i -> "i",
                u -> "u",
                d -> "d",
                t -> {
                    throw new IllegalArgumentException(
                            "TRUNCATE has no Drasi platform wire form; expand it into deletes");
                },
                r -> r.foldRelation(ri -> "i", ru -> "u", rd -> "d"));
        boolean isRelation = change instanceof SourceChange.RelationChange;
        g.writeStartObject();
        g.writeStringField(OP, op);
        g.writeNumberField(REACTIVATOR_START_NS, reactivatorStartNs);
        g.writeNumberField(REACTIVATOR_END_NS, reactivatorEndNs);
        g.writeObjectFieldStart(PAYLOAD);
        g.writeObjectFieldStart(SOURCE);
        g.writeStringField(DB, db);
        g.writeStringField(TABLE, isRelation ? TABLE_RELATION : TABLE_NODE);
        g.writeNumberField(LSN, lsn);
        g.writeNumberField(TS_NS, Math.multiplyExact(change.effectiveFromMs(), 1_000_000L));
        g.writeEndObject();
        if (change instanceof SourceChange.Delete d) {
            writeElement(g, BEFORE, d.metadata(), null);
        } else if (change instanceof SourceChange.RelationChange r) {
            Relation relation = r.relation().orElse(null);
            if (relation == null) {
                // as the platform SDK writes a relation delete: empty endpoints (a delete needs only id and labels)
                g.writeObjectFieldStart(BEFORE);
                g.writeStringField(ID, r.metadata().elementId().value());
                Codecs.writeLabels(g, LABELS, r.metadata().labels());
                g.writeStringField(START_ID, "");
                g.writeStringField(END_ID, "");
                g.writeEndObject();
            } else {
                g.writeObjectFieldStart(AFTER);
                g.writeStringField(ID, relation.metadata().elementId().value());
                Codecs.writeLabels(g, LABELS, relation.metadata().labels());
                g.writeFieldName(PROPERTIES);
                ElementValueJson.writeObject(g, relation.properties());
                g.writeStringField(START_ID, relation.inNode().value());
                g.writeStringField(END_ID, relation.outNode().value());
                g.writeEndObject();
            }
        } else {
            Node n = change.node().orElseThrow();
            writeElement(g, AFTER, n.metadata(), n.properties());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeElement(
            JsonGenerator g,
            String field,
            ElementMetadata m,
            Map<String, io.drasi.source.postgres.model.ElementValue> props)
            throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField(ID, m.elementId().value());
        Codecs.writeLabels(g, LABELS, m.labels());
        if (props != null) {
            g.writeFieldName(PROPERTIES);
            ElementValueJson.writeObject(g, props);
        }
        g.writeEndObject();
    }
}

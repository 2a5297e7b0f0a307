package io.drasi.source.postgres.mapping.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.Node;
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
 * instead of {@code after}. {@code ts_ns} is the
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
    private static final String LSN = "lsn";
    private static final String TS_NS = "ts_ns";
    private static final String AFTER = "after";
    private static final String BEFORE = "before";
    private static final String ID = "id";
    private static final String LABELS = "labels";
    private static final String PROPERTIES = "properties";

    private PlatformWireJson() {
    }

    /**
     * @param change             an Insert, Update or Delete; never null
     * @param lsn                the change's LSN
     * @param reactivatorStartNs when the reactivator received the change, ns since the epoch
     * @param reactivatorEndNs   when it was published, ns since the epoch
     * @param db                 the database name; never null
     * @return compact JSON
     * @throws IllegalArgumentException for a Truncate
     */
    public static String encode(SourceChange change, long lsn, long reactivatorStartNs, long reactivatorEndNs, String db) {
        return Codecs.toJson(g -> write(g, change, lsn, reactivatorStartNs, reactivatorEndNs, db));
    }

    /** As {@link #encode}, at the generator's position. */
    static void write(JsonGenerator g, SourceChange change, long lsn, long reactivatorStartNs, long reactivatorEndNs,
                      String db) throws IOException {
        String op = change.fold(i -> "i", u -> "u", d -> "d", t -> {
            throw new IllegalArgumentException("TRUNCATE has no Drasi platform wire form; expand it into deletes");
        });
        g.writeStartObject();
        g.writeStringField(OP, op);
        g.writeNumberField(REACTIVATOR_START_NS, reactivatorStartNs);
        g.writeNumberField(REACTIVATOR_END_NS, reactivatorEndNs);
        g.writeObjectFieldStart(PAYLOAD);
        g.writeObjectFieldStart(SOURCE);
        g.writeStringField(DB, db);
        g.writeStringField(TABLE, TABLE_NODE);
        g.writeNumberField(LSN, lsn);
        g.writeNumberField(TS_NS, Math.multiplyExact(change.effectiveFromMs(), 1_000_000L));
        g.writeEndObject();
        if (change instanceof SourceChange.Delete d) {
            writeElement(g, BEFORE, d.metadata(), null);
        } else {
            Node n = change.node().orElseThrow();
            writeElement(g, AFTER, n.metadata(), n.properties());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeElement(JsonGenerator g, String field, ElementMetadata m,
                                     Map<String, io.drasi.source.postgres.model.ElementValue> props) throws IOException {
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

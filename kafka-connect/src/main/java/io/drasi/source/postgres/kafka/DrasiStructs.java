package io.drasi.source.postgres.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.drasi.source.postgres.mapping.json.ElementValueJson;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * The Connect {@link Struct} forms of the two output shapes ({@code drasi.value.type=struct}). Each
 * format has ONE fixed schema, whatever the table, so schema-aware converters (Avro, Protobuf, JSON
 * Schema) register a single version. The structure mirrors the JSON shape field by field; the one
 * difference is {@code properties}: a {@code map<string,string>} from property name to the Drasi
 * value's JSON text ({@code 1}, {@code "Alice"}, {@code null}, {@code {"a":[1]}}), because a Drasi
 * value (e.g. a jsonb document) has no fixed Connect type.
 *
 * <p>Thread-safety: stateless.
 */
public final class DrasiStructs {

    private static final JsonFactory JSON = new JsonFactory();

    /** Property name → the value's JSON text. */
    public static final Schema PROPERTIES = SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA)
            .name("io.drasi.source.postgres.kafka.Properties")
            .build();

    private static final Schema LABELS =
            SchemaBuilder.array(Schema.STRING_SCHEMA).build();

    private static SchemaBuilder metadataBuilder() {
        return SchemaBuilder.struct()
                .name("io.drasi.source.postgres.kafka.seed.Metadata")
                .field("element_id", Schema.STRING_SCHEMA)
                .field("source_id", Schema.STRING_SCHEMA)
                .field("labels", LABELS)
                .field("effective_from", Schema.INT64_SCHEMA);
    }

    /** Seed element metadata. */
    public static final Schema SEED_METADATA = metadataBuilder().build();

    private static final Schema SEED_METADATA_OPTIONAL =
            metadataBuilder().optional().build();

    /** Seed element (metadata + properties), present for Insert/Update. */
    public static final Schema SEED_ELEMENT = SchemaBuilder.struct()
            .name("io.drasi.source.postgres.kafka.seed.Element")
            .optional()
            .field("metadata", SEED_METADATA)
            .field("properties", PROPERTIES)
            .build();

    /**
     * Seed change: {@code type} Insert/Update/Delete/Truncate; {@code element} for Insert/Update;
     * {@code metadata} for Delete; {@code schema}, {@code table}, {@code source_id}, {@code effective_from}
     * for Truncate.
     */
    public static final Schema SEED = SchemaBuilder.struct()
            .name("io.drasi.source.postgres.kafka.seed.SourceChange")
            .field("type", Schema.STRING_SCHEMA)
            .field("element", SEED_ELEMENT)
            .field("metadata", SEED_METADATA_OPTIONAL)
            .field("schema", Schema.OPTIONAL_STRING_SCHEMA)
            .field("table", Schema.OPTIONAL_STRING_SCHEMA)
            .field("source_id", Schema.OPTIONAL_STRING_SCHEMA)
            .field("effective_from", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    /** Platform wire element ({@code before} for deletes, {@code after} otherwise). */
    public static final Schema PLATFORM_ELEMENT = SchemaBuilder.struct()
            .name("io.drasi.source.postgres.kafka.platform.Element")
            .optional()
            .field("id", Schema.STRING_SCHEMA)
            .field("labels", LABELS)
            .field("properties", PROPERTIES)
            .build();

    /** Platform wire source block. */
    public static final Schema PLATFORM_SOURCE = SchemaBuilder.struct()
            .name("io.drasi.source.postgres.kafka.platform.Source")
            .field("db", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("lsn", Schema.INT64_SCHEMA)
            .field("ts_ns", Schema.INT64_SCHEMA)
            .build();

    /** Platform wire payload. */
    public static final Schema PLATFORM_PAYLOAD = SchemaBuilder.struct()
            .name("io.drasi.source.postgres.kafka.platform.Payload")
            .field("source", PLATFORM_SOURCE)
            .field("before", PLATFORM_ELEMENT)
            .field("after", PLATFORM_ELEMENT)
            .build();

    /** Platform wire change. */
    public static final Schema PLATFORM = SchemaBuilder.struct()
            .name("io.drasi.source.postgres.kafka.platform.Change")
            .field("op", Schema.STRING_SCHEMA)
            .field("reactivatorStart_ns", Schema.INT64_SCHEMA)
            .field("reactivatorEnd_ns", Schema.INT64_SCHEMA)
            .field("payload", PLATFORM_PAYLOAD)
            .build();

    private DrasiStructs() {}

    /**
     * @param change any change but a relation change (the SMT emits none); never null
     * @return the seed struct
     * @throws IllegalArgumentException for a relation change
     */
    public static Struct seed(SourceChange change) {
        Struct s = new Struct(SEED);
        change.fold(
                i -> s.put("type", "Insert").put("element", element(i.element())),
                u -> s.put("type", "Update").put("element", element(u.element())),
                d -> s.put("type", "Delete").put("metadata", metadata(SEED_METADATA_OPTIONAL, d.metadata())),
                t -> s.put("type", "Truncate")
                        .put("schema", t.schema())
                        .put("table", t.table())
                        .put("source_id", t.sourceId())
                        .put("effective_from", t.effectiveFromMs()),
                r -> {
                    throw DrasiChangeTransform.noRelations();
                });
        return s;
    }

    /**
     * @param change             an Insert, Update or Delete; never null
     * @param lsn                the change's LSN
     * @param reactivatorStartNs receive time, ns since the epoch
     * @param reactivatorEndNs   publish time, ns since the epoch
     * @param db                 database name; never null
     * @return the platform struct
     * @throws IllegalArgumentException for a Truncate
     */
    public static Struct platform(
            SourceChange change, long lsn, long reactivatorStartNs, long reactivatorEndNs, String db) {
        if (change instanceof SourceChange.Truncate) {
            throw new IllegalArgumentException("TRUNCATE has no Drasi platform wire form");
        }
        if (change instanceof SourceChange.RelationChange) {
            throw DrasiChangeTransform.noRelations();
        }
        String op;
        Struct before = null;
        Struct after = null;
        if (change instanceof SourceChange.Delete d) {
            op = "d";
            before = platformElement(d.metadata(), Map.of());
        } else {
            Node n = change instanceof SourceChange.Insert i ? i.element() : ((SourceChange.Update) change).element();
            op = change instanceof SourceChange.Insert ? "i" : "u";
            after = platformElement(n.metadata(), n.properties());
        }
        Struct source = new Struct(PLATFORM_SOURCE)
                .put("db", db)
                .put("table", "node")
                .put("lsn", lsn)
                .put("ts_ns", Math.multiplyExact(change.effectiveFromMs(), 1_000_000L));
        Struct payload = new Struct(PLATFORM_PAYLOAD)
                .put("source", source)
                .put("before", before)
                .put("after", after);
        return new Struct(PLATFORM)
                .put("op", op)
                .put("reactivatorStart_ns", reactivatorStartNs)
                .put("reactivatorEnd_ns", reactivatorEndNs)
                .put("payload", payload);
    }

    private static Struct element(Node node) {
        return new Struct(SEED_ELEMENT)
                .put("metadata", metadata(SEED_METADATA, node.metadata()))
                .put("properties", properties(node.properties()));
    }

    private static Struct metadata(Schema schema, ElementMetadata m) {
        return new Struct(schema)
                .put("element_id", m.elementId().value())
                .put("source_id", m.sourceId())
                .put("labels", m.labels())
                .put("effective_from", m.effectiveFromMs());
    }

    private static Struct platformElement(ElementMetadata m, Map<String, ElementValue> props) {
        return new Struct(PLATFORM_ELEMENT)
                .put("id", m.elementId().value())
                .put("labels", m.labels())
                .put("properties", properties(props));
    }

    /**
     * @param props Drasi properties; never null
     * @return name → JSON text of the value, in property order
     */
    public static Map<String, String> properties(Map<String, ElementValue> props) {
        Map<String, String> out = new LinkedHashMap<>((int) (props.size() / 0.75f) + 1);
        for (Map.Entry<String, ElementValue> e : props.entrySet()) {
            out.put(e.getKey(), json(e.getValue()));
        }
        return out;
    }

    private static String json(ElementValue v) {
        StringWriter w = new StringWriter(16);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            ElementValueJson.write(g, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}

package io.drasi.source.postgres.mapping.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.drasi.source.postgres.mapping.MappingException;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.Relation;
import io.drasi.source.postgres.model.SourceChange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed / drasi-core JSON shape of a {@link SourceChange} (serde externally tagged by {@code type}):
 * <pre>{"type":"Insert","element":{"metadata":{"element_id":"public:users:1","source_id":"pg-source",
 *  "labels":["users"],"effective_from":1699900000000},"properties":{"id":1}}}</pre>
 * Update is the same with {@code "Update"}; Delete is {@code {"type":"Delete","metadata":{...}}}.
 * A relation (see {@link Relation}) is written like a node plus its endpoints, {@code in_node} the start (the row
 * holding the foreign key) and {@code out_node} the end:
 * <pre>{"type":"Insert","element":{"metadata":{..},"in_node":{"source_id":"pg-source","element_id":"public:orders:7"},
 *  "out_node":{"source_id":"pg-source","element_id":"public:customers:3"},"properties":{"customer_id":3}}}</pre>
 * and deleted like a node (Drasi deletes by id); {@link #decode} therefore returns a relation's Delete as a
 * {@link SourceChange.Delete}.
 * Truncate, which has no Drasi shape, is written {@code {"type":"Truncate","schema":..,"table":..,
 * "source_id":..,"effective_from":..}} (an extension of this project; hosts never receive it).
 *
 * <p>Thread-safety: stateless; safe for concurrent use.
 */
public final class SeedJson {

    private static final String TYPE = "type";
    private static final String ELEMENT = "element";
    private static final String METADATA = "metadata";
    private static final String PROPERTIES = "properties";
    private static final String IN_NODE = "in_node";
    private static final String OUT_NODE = "out_node";
    private static final String ELEMENT_ID = "element_id";
    private static final String SOURCE_ID = "source_id";
    private static final String LABELS = "labels";
    private static final String EFFECTIVE_FROM = "effective_from";
    private static final String SCHEMA = "schema";
    private static final String TABLE = "table";
    private static final String INSERT = "Insert";
    private static final String UPDATE = "Update";
    private static final String DELETE = "Delete";
    private static final String TRUNCATE = "Truncate";

    private SeedJson() {}

    /**
     * @param change the change; never null
     * @return compact JSON
     */
    public static String encode(SourceChange change) {
        return Codecs.toJson(g -> write(g, change));
    }

    /**
     * Writes one change as a JSON object at the generator's position.
     *
     * @param g      the generator; never null
     * @param change the change; never null
     * @throws IOException from the generator
     */
    public static void write(JsonGenerator g, SourceChange change) throws IOException {
        g.writeStartObject();
        g.writeStringField(
                TYPE,
                change.fold(
                        i -> INSERT,
                        u -> UPDATE,
                        d -> DELETE,
                        t -> TRUNCATE,
                        r -> r.foldRelation(ri -> INSERT, ru -> UPDATE, rd -> DELETE)));
        Node node = change.node().orElse(null);
        if (node != null) {
            writeElement(g, node);
        } else if (change instanceof SourceChange.RelationChange r) {
            Relation relation = r.relation().orElse(null);
            if (relation != null) {
                writeRelation(g, relation);
            } else {
                g.writeFieldName(METADATA);
                writeMetadata(g, r.metadata());
            }
        } else if (change instanceof SourceChange.Delete d) {
            g.writeFieldName(METADATA);
            writeMetadata(g, d.metadata());
        } else {
            SourceChange.Truncate t = (SourceChange.Truncate) change;
            g.writeStringField(SCHEMA, t.schema());
            g.writeStringField(TABLE, t.table());
            g.writeStringField(SOURCE_ID, t.sourceId());
            g.writeNumberField(EFFECTIVE_FROM, t.effectiveFromMs());
        }
        g.writeEndObject();
    }

    private static void writeElement(JsonGenerator g, Node node) throws IOException {
        writeElement(g, node.metadata(), null, node.properties());
    }

    private static void writeRelation(JsonGenerator g, Relation r) throws IOException {
        writeElement(g, r.metadata(), r, r.properties());
    }

    /** {@code "element": {metadata, [in_node, out_node,] properties}}; the node references only for a relation. */
    private static void writeElement(
            JsonGenerator g, ElementMetadata metadata, Relation relation, Map<String, ElementValue> properties)
            throws IOException {
        g.writeObjectFieldStart(ELEMENT);
        g.writeFieldName(METADATA);
        writeMetadata(g, metadata);
        if (relation != null) {
            writeReference(g, IN_NODE, metadata.sourceId(), relation.inNode());
            writeReference(g, OUT_NODE, metadata.sourceId(), relation.outNode());
        }
        g.writeFieldName(PROPERTIES);
        ElementValueJson.writeObject(g, properties);
        g.writeEndObject();
    }

    private static void writeReference(JsonGenerator g, String field, String sourceId, ElementId id)
            throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField(SOURCE_ID, sourceId);
        g.writeStringField(ELEMENT_ID, id.value());
        g.writeEndObject();
    }

    private static void writeMetadata(JsonGenerator g, ElementMetadata m) throws IOException {
        g.writeStartObject();
        g.writeStringField(ELEMENT_ID, m.elementId().value());
        g.writeStringField(SOURCE_ID, m.sourceId());
        Codecs.writeLabels(g, LABELS, m.labels());
        g.writeNumberField(EFFECTIVE_FROM, m.effectiveFromMs());
        g.writeEndObject();
    }

    /**
     * Decodes one change (any field order).
     *
     * @param json the JSON object; never null
     * @return the change
     * @throws MappingException when the JSON is not a seed-shaped change
     */
    public static SourceChange decode(String json) {
        try (JsonParser p = ElementValueJson.FACTORY.createParser(json)) {
            p.nextToken();
            ElementValue v = ElementValueJson.read(p);
            if (!(v instanceof ElementValue.ObjectValue o)) {
                throw new MappingException("seed change must be a JSON object: " + ElementValueJson.abbreviate(json));
            }
            return fromObject(o.values(), json);
        } catch (IOException | ClassCastException | NullPointerException | IllegalArgumentException e) {
            if (e instanceof MappingException m) {
                throw m;
            }
            throw new MappingException(
                    "not a seed change: " + ElementValueJson.abbreviate(json) + ": " + e.getMessage(), e);
        }
    }

    private static SourceChange fromObject(Map<String, ElementValue> o, String json) {
        String type = str(o, TYPE);
        switch (type) {
            case INSERT:
                return obj(o, ELEMENT).containsKey(IN_NODE)
                        ? new SourceChange.RelationInsert(relation(obj(o, ELEMENT)))
                        : new SourceChange.Insert(node(obj(o, ELEMENT)));
            case UPDATE:
                return obj(o, ELEMENT).containsKey(IN_NODE)
                        ? new SourceChange.RelationUpdate(relation(obj(o, ELEMENT)))
                        : new SourceChange.Update(node(obj(o, ELEMENT)));
            case DELETE:
                return new SourceChange.Delete(metadata(obj(o, METADATA)));
            case TRUNCATE:
                return new SourceChange.Truncate(
                        str(o, SCHEMA), str(o, TABLE), str(o, SOURCE_ID), num(o, EFFECTIVE_FROM));
            default:
                throw new MappingException(
                        "unknown seed change type '" + type + "' in " + ElementValueJson.abbreviate(json));
        }
    }

    private static Node node(Map<String, ElementValue> element) {
        return new Node(metadata(obj(element, METADATA)), obj(element, PROPERTIES));
    }

    private static Relation relation(Map<String, ElementValue> element) {
        String in = str(obj(element, IN_NODE), ELEMENT_ID);
        Map<String, ElementValue> m = obj(element, METADATA);
        ElementMetadata meta = new ElementMetadata(
                ElementId.parseRelation(str(m, ELEMENT_ID), in), str(m, SOURCE_ID), labels(m), num(m, EFFECTIVE_FROM));
        return new Relation(
                meta,
                ElementId.parse(in),
                ElementId.parse(str(obj(element, OUT_NODE), ELEMENT_ID)),
                obj(element, PROPERTIES));
    }

    private static List<String> labels(Map<String, ElementValue> m) {
        List<String> labels = new ArrayList<>();
        for (ElementValue l : ((ElementValue.ListValue) m.get(LABELS)).values()) {
            labels.add(((ElementValue.StringValue) l).value());
        }
        return labels;
    }

    private static ElementMetadata metadata(Map<String, ElementValue> m) {
        List<String> labels = new ArrayList<>();
        for (ElementValue l : ((ElementValue.ListValue) m.get(LABELS)).values()) {
            labels.add(((ElementValue.StringValue) l).value());
        }
        return new ElementMetadata(
                ElementId.parse(str(m, ELEMENT_ID)), str(m, SOURCE_ID), labels, num(m, EFFECTIVE_FROM));
    }

    private static Map<String, ElementValue> obj(Map<String, ElementValue> o, String field) {
        return ((ElementValue.ObjectValue) o.get(field)).values();
    }

    private static String str(Map<String, ElementValue> o, String field) {
        return ((ElementValue.StringValue) o.get(field)).value();
    }

    private static long num(Map<String, ElementValue> o, String field) {
        return ((ElementValue.IntValue) o.get(field)).value();
    }
}

package io.drasi.source.postgres.kafka;

import io.drasi.source.postgres.mapping.json.ElementValueJson;
import io.drasi.source.postgres.mapping.json.PlatformWireJson;
import io.drasi.source.postgres.mapping.json.SeedJson;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;

/** Test helper: reads the Struct output back into Drasi changes and renders them with the mapping codecs. */
final class StructsToJson {

    private StructsToJson() {}

    static String seedJson(Struct s) {
        return SeedJson.encode(seedChange(s));
    }

    static SourceChange seedChange(Struct s) {
        s.validate();
        String type = s.getString("type");
        switch (type) {
            case "Insert":
                return new SourceChange.Insert(node(s.getStruct("element")));
            case "Update":
                return new SourceChange.Update(node(s.getStruct("element")));
            case "Delete":
                return new SourceChange.Delete(metadata(s.getStruct("metadata")));
            case "Truncate":
                return new SourceChange.Truncate(
                        s.getString("schema"),
                        s.getString("table"),
                        s.getString("source_id"),
                        s.getInt64("effective_from"));
            default:
                throw new AssertionError("type " + type);
        }
    }

    /** Platform struct → platform JSON with the same reactivator times. */
    static String platformJson(Struct s, String sourceId) {
        s.validate();
        Struct payload = s.getStruct("payload");
        Struct source = payload.getStruct("source");
        String op = s.getString("op");
        Struct el = "d".equals(op) ? payload.getStruct("before") : payload.getStruct("after");
        long ms = source.getInt64("ts_ns") / 1_000_000L;
        @SuppressWarnings("unchecked")
        List<String> labels = (List<String>) (List<?>) el.getArray("labels");
        ElementMetadata m = new ElementMetadata(ElementId.parse(el.getString("id")), sourceId, labels, ms);
        SourceChange c = switch (op) {
            case "i" -> new SourceChange.Insert(new Node(m, props(el.getMap("properties"))));
            case "u" -> new SourceChange.Update(new Node(m, props(el.getMap("properties"))));
            default -> new SourceChange.Delete(m);
        };
        return PlatformWireJson.encode(
                c,
                source.getInt64("lsn"),
                s.getInt64("reactivatorStart_ns"),
                s.getInt64("reactivatorEnd_ns"),
                source.getString("db"));
    }

    private static Node node(Struct element) {
        return new Node(metadata(element.getStruct("metadata")), props(element.getMap("properties")));
    }

    @SuppressWarnings("unchecked")
    private static ElementMetadata metadata(Struct m) {
        return new ElementMetadata(
                ElementId.parse(m.getString("element_id")),
                m.getString("source_id"),
                (List<String>) (List<?>) m.getArray("labels"),
                m.getInt64("effective_from"));
    }

    private static Map<String, ElementValue> props(Map<Object, Object> json) {
        Map<String, ElementValue> out = new LinkedHashMap<>();
        json.forEach((k, v) -> out.put((String) k, ElementValueJson.parse((String) v)));
        return out;
    }
}

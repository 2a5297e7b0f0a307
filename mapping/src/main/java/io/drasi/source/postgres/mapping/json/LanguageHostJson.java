package io.drasi.source.postgres.mapping.json;

import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;

/**
 * The shape the Drasi language hosts (Python/Node/.NET bindings) accept, one change at a time:
 * <pre>{"op":"insert","id":"public:users:1","labels":["users"],"properties":{...},"effectiveFrom":1699900000000}</pre>
 * {@code op} is {@code insert}, {@code update} or {@code delete} (deletes carry no {@code properties});
 * {@code effectiveFrom} is in <em>milliseconds</em>. A {@link SourceChange.Truncate} is rejected with
 * {@link IllegalArgumentException}; expand it into deletes first. A
 * {@link SourceChange.RelationChange} has no form here and is rejected too.
 *
 * <p>Thread-safety: stateless; safe for concurrent use.
 */
public final class LanguageHostJson {

    private static final String OP = "op";
    private static final String ID = "id";
    private static final String LABELS = "labels";
    private static final String PROPERTIES = "properties";
    private static final String EFFECTIVE_FROM = "effectiveFrom";

    private LanguageHostJson() {}

    /**
     * @param change an Insert, Update or Delete; never null
     * @return compact JSON
     * @throws IllegalArgumentException for a Truncate
     */
    public static String encode(SourceChange change) {
        String op = change.fold(
                i -> "insert",
                u -> "update",
                d -> "delete",
                t -> {
                    throw new IllegalArgumentException("TRUNCATE has no language-host form; expand it into deletes");
                },
                r -> {
                    throw new IllegalArgumentException("relations have no language-host form (it carries nodes only);"
                            + " leave foreign_key_relations off for this host");
                });
        return Codecs.toJson(g -> {
            g.writeStartObject();
            Node n = change.node().orElse(null);
            ElementMetadata m = n != null ? n.metadata() : ((SourceChange.Delete) change).metadata();
            g.writeStringField(OP, op);
            g.writeStringField(ID, m.elementId().value());
            Codecs.writeLabels(g, LABELS, m.labels());
            if (n != null) {
                g.writeFieldName(PROPERTIES);
                ElementValueJson.writeObject(g, n.properties());
            }
            g.writeNumberField(EFFECTIVE_FROM, m.effectiveFromMs());
            g.writeEndObject();
        });
    }
}

package io.drasi.source.postgres.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A Drasi relation element: metadata, its two endpoints and properties. For a foreign key, the relation runs from
 * the row holding the key to the row it references, so {@code MATCH (o:orders)-[:R]->(c:customers)} matches it.
 *
 * <p>Drasi's names read backwards but are its contract: {@code in_node} is the <em>start</em> of the relation (the
 * child row, the one holding the foreign key) and {@code out_node} its <em>end</em> (the referenced parent row).
 * Both are node ids of the same source; the end node need not exist (Drasi keeps the relation and matches it once
 * the node arrives).
 *
 * <p>Thread-safety: immutable value. Nullability: no component is null.
 *
 * @param metadata   the relation's metadata (its id is a {@linkplain ElementId#relation relation id}); never null
 * @param inNode     the start node's id (the child row); never null
 * @param outNode    the end node's id (the referenced parent row); never null
 * @param properties the properties (the foreign-key columns); copied into an unmodifiable insertion-ordered map
 */
public record Relation(
        ElementMetadata metadata, ElementId inNode, ElementId outNode, Map<String, ElementValue> properties) {

    /** Validates and copies. */
    public Relation {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(inNode, "inNode");
        Objects.requireNonNull(outNode, "outNode");
        Objects.requireNonNull(properties, "properties");
        if (!(properties instanceof PropertyMap)) {
            properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        }
    }
}

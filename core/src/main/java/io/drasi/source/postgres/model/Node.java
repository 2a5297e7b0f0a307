package io.drasi.source.postgres.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A Drasi node element: metadata plus properties (column name → value, in column order).
 *
 * <p>Thread-safety: immutable value. Nullability: no component is null; SQL NULL columns are present
 * with {@link ElementValue#NULL}.
 *
 * @param metadata   the element metadata; never null
 * @param properties the properties; copied into an unmodifiable insertion-ordered map
 */
public record Node(ElementMetadata metadata, Map<String, ElementValue> properties) {

    /** Validates and copies. */
    public Node {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(properties, "properties");
        if (!(properties instanceof PropertyMap)) { // already immutable and ordered: kept as is
            properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        }
    }
}

package io.drasi.source.postgres.model;

import java.util.List;
import java.util.Objects;

/**
 * Drasi element metadata: id, source id, labels and the time the change became effective.
 *
 * <p>Thread-safety: immutable value. Nullability: no component is null.
 *
 * @param elementId       the element id; never null
 * @param sourceId        the id of the Drasi source, e.g. {@code pg-source}; never null
 * @param labels          the labels, {@code [table name]} for rows; unmodifiable copy; never null
 * @param effectiveFromMs when the change became effective, milliseconds since the Unix epoch (the
 *                        transaction's commit time, Debezium {@code source.ts_ms})
 */
public record ElementMetadata(ElementId elementId, String sourceId, List<String> labels, long effectiveFromMs) {

    /** Validates and copies. */
    public ElementMetadata {
        Objects.requireNonNull(elementId, "elementId");
        Objects.requireNonNull(sourceId, "sourceId");
        labels = List.copyOf(labels);
    }
}

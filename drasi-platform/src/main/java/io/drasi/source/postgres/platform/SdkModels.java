package io.drasi.source.postgres.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.drasi.source.postgres.mapping.json.ElementValueJson;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.sdk.models.SourceDelete;
import io.drasi.source.sdk.models.SourceElement;
import io.drasi.source.sdk.models.SourceInsert;
import io.drasi.source.sdk.models.SourceUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Converts this project's Drasi model into the SDK's models. Property values go through the mapping
 * module's {@link ElementValueJson} (into a Jackson token buffer, no text round trip), so the SDK
 * serialises exactly what {@code PlatformWireJson} writes; the module's golden test checks that.
 *
 * <p>Thread-safety: stateless.
 */
public final class SdkModels {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SdkModels() {}

    /**
     * @param change             an Insert, Update or Delete (a Truncate has no SDK form); never null
     * @param reactivatorStartNs when the reactivator took the change, ns since the epoch
     * @param sequenceNumber     the platform's ordering key (wire {@code payload.source.lsn})
     * @return the SDK change; {@code sourceTsNS} = effective_from ms × 1,000,000
     * @throws IllegalArgumentException for a Truncate
     */
    public static io.drasi.source.sdk.models.SourceChange toSdk(
            SourceChange change, long reactivatorStartNs, long sequenceNumber) {
        long sourceTsNs = Math.multiplyExact(change.effectiveFromMs(), 1_000_000L);
        return change.<io.drasi.source.sdk.models.SourceChange>fold(
                i -> new SourceInsert(
                        id(i.element().metadata()),
                        reactivatorStartNs,
                        properties(i.element().properties()),
                        Map.of(),
                        labels(i.element().metadata()),
                        sourceTsNs,
                        sequenceNumber),
                u -> new SourceUpdate(
                        id(u.element().metadata()),
                        reactivatorStartNs,
                        properties(u.element().properties()),
                        Map.of(),
                        labels(u.element().metadata()),
                        sourceTsNs,
                        sequenceNumber),
                d -> new SourceDelete(
                        id(d.metadata()),
                        reactivatorStartNs,
                        Map.of(),
                        labels(d.metadata()),
                        sourceTsNs,
                        sequenceNumber),
                t -> {
                    throw new IllegalArgumentException("TRUNCATE has no Drasi platform form: " + change);
                },
                r -> r.<io.drasi.source.sdk.models.SourceChange>foldRelation(
                        ri -> new SourceInsert(
                                id(ri.metadata()),
                                reactivatorStartNs,
                                properties(ri.element().properties()),
                                Map.of(),
                                labels(ri.metadata()),
                                sourceTsNs,
                                sequenceNumber,
                                ri.element().inNode().value(),
                                ri.element().outNode().value()),
                        ru -> new SourceUpdate(
                                id(ru.metadata()),
                                reactivatorStartNs,
                                properties(ru.element().properties()),
                                Map.of(),
                                labels(ru.metadata()),
                                sourceTsNs,
                                sequenceNumber,
                                ru.element().inNode().value(),
                                ru.element().outNode().value()),
                        rd -> relationDelete(rd, reactivatorStartNs, sourceTsNs, sequenceNumber)));
    }

    /** A relation's delete: id and labels (the change router routes on them), {@code table} {@code rel}. */
    private static io.drasi.source.sdk.models.SourceChange relationDelete(
            SourceChange.RelationDelete d, long reactivatorStartNs, long sourceTsNs, long sequenceNumber) {
        // the SDK writes table "rel" only for an element with endpoints, which a delete does not know
        return new SourceDelete(
                id(d.metadata()),
                reactivatorStartNs,
                Map.of(),
                labels(d.metadata()),
                sourceTsNs,
                sequenceNumber,
                "",
                "");
    }

    /**
     * @param insert a bootstrapped relation; never null
     * @return the SDK element (id, labels, properties, startId = in_node, endId = out_node)
     */
    public static SourceElement toElement(SourceChange.RelationInsert insert) {
        var r = insert.element();
        return new SourceElement(
                id(r.metadata()),
                properties(r.properties()),
                new LinkedHashSet<>(r.metadata().labels()),
                r.inNode().value(),
                r.outNode().value());
    }

    /**
     * @param insert a bootstrap row; never null
     * @return the SDK element (id, labels, properties)
     */
    public static SourceElement toElement(SourceChange.Insert insert) {
        Node n = insert.element();
        return new SourceElement(
                id(n.metadata()),
                properties(n.properties()),
                new LinkedHashSet<>(n.metadata().labels()));
    }

    /** @return the properties as a Jackson tree, numbers keeping their Java type (long, double) */
    static JsonNode properties(Map<String, ElementValue> properties) {
        try (TokenBuffer buffer = new TokenBuffer(MAPPER, false)) {
            ElementValueJson.writeObject(buffer, properties);
            return MAPPER.readTree(buffer.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot convert properties to JSON: " + e.getMessage(), e);
        }
    }

    private static String id(ElementMetadata m) {
        return m.elementId().value();
    }

    private static List<String> labels(ElementMetadata m) {
        return List.copyOf(m.labels());
    }
}

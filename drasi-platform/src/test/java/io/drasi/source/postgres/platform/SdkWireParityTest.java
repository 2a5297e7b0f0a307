package io.drasi.source.postgres.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.mapping.json.PlatformWireJson;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.sdk.models.SourceElement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SDK's own serialisation of our converted changes equals the mapping module's {@link PlatformWireJson}. */
class SdkWireParityTest {

    private static final String SOURCE_ID = "pg-platform-test"; // surefire sets env SOURCE_ID to this

    @Test
    void sdkSerialisation_everyValueKindAndOp_equalsPlatformWireJson() {
        Map<String, ElementValue> props = new LinkedHashMap<>();
        props.put("id", new ElementValue.IntValue(Long.MAX_VALUE));
        props.put("neg", new ElementValue.IntValue(-7));
        props.put("price", new ElementValue.FloatValue(9.5));
        props.put("tiny", new ElementValue.FloatValue(1.0E-300));
        props.put("huge", new ElementValue.FloatValue(-1.7976931348623157E308));
        props.put("whole", new ElementValue.FloatValue(3.0));
        props.put("name", new ElementValue.StringValue("Gadget ü \"q\" \\ \n\t\u0001 😀"));
        props.put("numeric", new ElementValue.StringValue("12345678901234567890.000100"));
        props.put("active", new ElementValue.BoolValue(true));
        props.put("missing", ElementValue.NULL);
        props.put(
                "tags",
                new ElementValue.ListValue(List.of(
                        new ElementValue.StringValue("a"),
                        ElementValue.NULL,
                        new ElementValue.ListValue(List.of(new ElementValue.IntValue(1))))));
        props.put("meta", new ElementValue.ObjectValue(Map.of("k", new ElementValue.FloatValue(0.1))));
        ElementMetadata meta = new ElementMetadata(
                ElementId.of("public", "items", List.of("1")), SOURCE_ID, List.of("items"), 1_700_000_000_123L);
        Node node = new Node(meta, props);
        List<SourceChange> changes = List.of(
                new SourceChange.Insert(node),
                new SourceChange.Update(node),
                new SourceChange.Delete(meta),
                new SourceChange.Insert(new Node(meta, Map.of())));
        ElementId relId = ElementId.relation(meta.elementId(), "items_owner_fkey");
        io.drasi.source.postgres.model.Relation rel = new io.drasi.source.postgres.model.Relation(
                new ElementMetadata(relId, SOURCE_ID, List.of("OWNED_BY"), 1_700_000_000_123L),
                meta.elementId(),
                ElementId.of("public", "owners", List.of("7")),
                Map.of("owner_id", new ElementValue.IntValue(7)));
        changes = new java.util.ArrayList<>(changes);
        changes.add(new SourceChange.RelationInsert(rel));
        changes.add(new SourceChange.RelationUpdate(rel));
        changes.add(new SourceChange.RelationDelete(rel.metadata()));
        long seq = 23_456_789L;
        for (SourceChange c : changes) {
            io.drasi.source.sdk.models.SourceChange sdk = SdkModels.toSdk(c, 111L, seq);
            sdk.setReactivatorEndTsNs(222L);
            String expected = PlatformWireJson.encode(c, seq, 111L, 222L, SOURCE_ID);
            assertThat(sdk.toJson()).as(c.toString()).isEqualTo(expected);
            seq++;
        }
    }

    @Test
    void truncate_hasNoSdkForm() {
        assertThatThrownBy(() -> SdkModels.toSdk(new SourceChange.Truncate("public", "t", SOURCE_ID, 1L), 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void element_carriesIdLabelsAndProperties() {
        ElementMetadata meta =
                new ElementMetadata(ElementId.of("s", "t", List.of("1", "x")), SOURCE_ID, List.of("t"), 0L);
        SourceElement e =
                SdkModels.toElement(new SourceChange.Insert(new Node(meta, Map.of("n", new ElementValue.IntValue(5)))));
        assertThat(e.toJson())
                .isEqualTo("{\"id\":\"" + meta.elementId().value() + "\",\"labels\":[\"t\"],\"properties\":{\"n\":5}}");
    }
}

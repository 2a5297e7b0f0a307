package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeldElementsTest {

    private static final TableId T = TableId.of("public", "t");
    private static final TableId U = TableId.of("public", "u");
    private static final int IDS = Integer.getInteger("held.scale.ids", 1_000_000);

    private static PositionedChange at(SourceChange c) {
        return new PositionedChange(c, ChangePosition.bootstrapRow(0));
    }

    @Test
    void acknowledged_insertUpdateDeleteTruncate_holdsExactlyTheLiveElementsAcrossReopen(@TempDir Path dir) {
        Path file = dir.resolve("o.held");
        try (HeldElements held = HeldElements.open(file)) {
            assertThat(held.complete()).isFalse();
            held.resetForNewSlot();
            held.acknowledged(List.of(
                    at(HeldElementsScale.insert(T, 1)),
                    at(HeldElementsScale.insert(T, 2)),
                    at(HeldElementsScale.insert(U, 1)),
                    at(HeldElementsScale.insert(T, 10))));
            held.acknowledged(List.of(at(new SourceChange.Delete(
                    new ElementMetadata(ElementId.of(T, List.of("2")), "src", List.of("t"), 1L)))));
        }
        try (HeldElements held = HeldElements.open(file)) {
            assertThat(held.complete()).isTrue();
            assertThat(held.size()).isEqualTo(3);
            assertThat(held.hashOf("public:t:2")).isNull();
            assertThat(held.hashOf("public:t:1"))
                    .isEqualTo(HeldElements.hash(
                            HeldElementsScale.insert(T, 1).element().properties()));
            held.acknowledged(List.of(at(new SourceChange.Truncate("public", "t", "src", 1L))));
            assertThat(held.size()).isEqualTo(1);
            assertThat(held.hashOf("public:u:1")).isNotNull();
        }
    }

    @Test
    void hash_sameValuesInAnotherOrder_equal_otherValue_differs() {
        Map<String, ElementValue> a = new LinkedHashMap<>();
        a.put("id", new ElementValue.IntValue(1));
        a.put("v", new ElementValue.StringValue("x"));
        Map<String, ElementValue> b = new LinkedHashMap<>();
        b.put("v", new ElementValue.StringValue("x"));
        b.put("id", new ElementValue.IntValue(1));
        assertThat(HeldElements.hash(a)).isEqualTo(HeldElements.hash(b));
        b.put("v", new ElementValue.StringValue("y"));
        assertThat(HeldElements.hash(a)).isNotEqualTo(HeldElements.hash(b));
        b.put("v", ElementValue.NULL);
        assertThat(HeldElements.hash(a)).isNotEqualTo(HeldElements.hash(b));
    }

    @Test
    void resync_interrupted_isRecordedUntilEnded_andUnseenAreTheHeldOnesNotSeen(@TempDir Path dir) {
        Path file = dir.resolve("o.held");
        try (HeldElements held = HeldElements.open(file)) {
            held.resetForNewSlot();
            held.acknowledged(List.of(at(HeldElementsScale.insert(T, 1)), at(HeldElementsScale.insert(T, 2))));
            held.beginResync("slot dropped");
            held.seen("public:t:2");
        }
        try (HeldElements held = HeldElements.open(file)) {
            assertThat(held.resyncUnderWay()).contains("slot dropped");
            held.beginResync("slot dropped"); // a restarted resync forgets what the interrupted one saw
            held.seen("public:t:1");
            List<String> unseen = new ArrayList<>();
            held.forEachUnseen(unseen::add);
            assertThat(unseen).containsExactly("public:t:2");
            held.endResync();
            assertThat(held.resyncUnderWay()).isEmpty();
        }
    }

    /**
     * 1 M held ids (system property {@code held.scale.ids} for another count, e.g. 10000000) in a JVM limited to
     * 256 MB of heap: acknowledged, reopened, resynced.
     */
    @Test
    void oneMillionIds_atXmx256m_acknowledgeReopenAndResync(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        HeldElementsScale.class.getName(),
                        dir.resolve("o.held").toString(),
                        Integer.toString(IDS))
                .redirectErrorStream(true)
                .start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                out.append(line).append('\n');
            }
        }
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out.toString()).isZero();
        System.out.println("MEASURED held ids: " + out.toString().strip());
        Matcher m = Pattern.compile("unseen=(\\d+) peakHeapMb=(\\d+)").matcher(out);
        assertThat(m.find()).as(out.toString()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isEqualTo(IDS / 10);
        assertThat(Long.parseLong(m.group(2))).isLessThanOrEqualTo(256);
    }
}

package io.drasi.source.postgres.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ElementIdTest {

    private static final String[] HOSTILE = {"", ":", "%", "%3A", "%25", "a:b", "a%b", "::", "%%", "\"", "\"My Schema\"",
            "ü", "日本", "😀", " ", "a.b", "%00", "null", "1", "01"};

    @Test
    void of_plainKey_readable() {
        assertThat(ElementId.of("public", "users", List.of("1")).value()).isEqualTo("public:users:1");
        assertThat(ElementId.of("public", "order_items", List.of("1001", "3"))).hasToString("public:order_items:1001:3");
    }

    @Test
    void of_separatorAndPercentInComponents_escaped() {
        assertThat(ElementId.of("s:x", "t%y", List.of("a:b", "50%")).value()).isEqualTo("s%3Ax:t%25y:a%3Ab:50%25");
    }

    @Test
    void of_textKeyWithColonVsCompositeKey_different() {
        assertThat(ElementId.of("public", "t", List.of("a:b"))).isNotEqualTo(ElementId.of("public", "t", List.of("a", "b")));
    }

    @Test
    void of_nullComponent_distinctFromAnyString() {
        ElementId withNull = ElementId.of("public", "t", Arrays.asList("a", null));
        assertThat(withNull.value()).isEqualTo("public:t:a:%00");
        assertThat(withNull).isNotEqualTo(ElementId.of("public", "t", List.of("a", "%00")));
        assertThat(withNull).isNotEqualTo(ElementId.of("public", "t", List.of("a", "null")));
        assertThat(ElementId.parse(withNull.value()).keyComponents()).containsExactly("a", null);
    }

    @Test
    void of_hostileInputsTableDriven_injectiveAndRoundTrips() {
        Map<String, List<String>> seen = new HashMap<>();
        for (String schema : HOSTILE) {
            for (String table : HOSTILE) {
                for (String k1 : HOSTILE) {
                    check(seen, schema, table, List.of(k1));
                    check(seen, schema, table, List.of(k1, table));
                }
            }
        }
        assertThat(seen).hasSizeGreaterThan(HOSTILE.length * HOSTILE.length * HOSTILE.length);
    }

    @Test
    void of_randomInputs_injectiveAndRoundTrips() {
        Random random = new Random(42);
        char[] alphabet = {'a', ':', '%', '3', 'A', '2', '5', '0', '"', 'ü', '日', ' '};
        Map<String, List<String>> seen = new HashMap<>();
        for (int n = 0; n < 50_000; n++) {
            String schema = randomString(random, alphabet);
            String table = randomString(random, alphabet);
            int keys = 1 + random.nextInt(3);
            List<String> comps = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                comps.add(randomString(random, alphabet));
            }
            check(seen, schema, table, comps);
        }
    }

    private static void check(Map<String, List<String>> seen, String schema, String table, List<String> keys) {
        ElementId id = ElementId.of(schema, table, keys);
        List<String> identity = new ArrayList<>();
        identity.add(schema);
        identity.add(table);
        identity.addAll(keys);
        List<String> previous = seen.putIfAbsent(id.value(), identity);
        assertThat(previous).as("collision on %s", id).satisfiesAnyOf(p -> assertThat(p).isNull(), p -> assertThat(p).isEqualTo(identity));
        ElementId parsed = ElementId.parse(id.value());
        assertThat(parsed).isEqualTo(id);
        assertThat(parsed.schema()).isEqualTo(schema);
        assertThat(parsed.table()).isEqualTo(table);
        assertThat(parsed.keyComponents()).isEqualTo(keys);
    }

    private static String randomString(Random r, char[] alphabet) {
        int len = r.nextInt(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append(alphabet[r.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"public:users", "public", "a:b:%zz", "a:b:%3a", "a:b:%"})
    void parse_malformed_rejected(String text) {
        assertThatThrownBy(() -> ElementId.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void of_noKeyComponents_rejected() {
        assertThatThrownBy(() -> ElementId.of("s", "t", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ElementId.of(new TableId(null, "t"), List.of("1"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prefix_table_matchesIdsOfThatTableOnly() {
        TableId t = TableId.of("pub:lic", "users");
        ElementId id = ElementId.of(t, List.of("1"));
        assertThat(id.value()).startsWith(ElementId.prefix(t));
        assertThat(id.tableId()).isEqualTo(t);
        assertThat(ElementId.of("pub", "lic:users", List.of("1")).value()).doesNotStartWith(ElementId.prefix(t));
        assertThat(id.hashCode()).isEqualTo(id.value().hashCode());
    }
}

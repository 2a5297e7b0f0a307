package io.drasi.source.postgres.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ElementIdTest {

    private static final String[] HOSTILE = {
        "",
        ":",
        "%",
        "%3A",
        "%25",
        "a:b",
        "a%b",
        "::",
        "%%",
        "\"",
        "\"My Schema\"",
        "ü",
        "日本",
        "😀",
        " ",
        "a.b",
        "%00",
        "null",
        "1",
        "01"
    };

    @Test
    void of_plainKey_readable() {
        assertThat(ElementId.of("public", "users", List.of("1")).value()).isEqualTo("public:users:1");
        assertThat(ElementId.of("public", "order_items", List.of("1001", "3")))
                .hasToString("public:order_items:1001:3");
    }

    @Test
    void of_separatorAndPercentInComponents_escaped() {
        assertThat(ElementId.of("s:x", "t%y", List.of("a:b", "50%")).value()).isEqualTo("s%3Ax:t%25y:a%3Ab:50%25");
    }

    @Test
    void of_textKeyWithColonVsCompositeKey_different() {
        assertThat(ElementId.of("public", "t", List.of("a:b")))
                .isNotEqualTo(ElementId.of("public", "t", List.of("a", "b")));
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
        assertThat(previous)
                .as("collision on %s", id)
                .satisfiesAnyOf(p -> assertThat(p).isNull(), p -> assertThat(p).isEqualTo(identity));
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
        assertThatThrownBy(() -> ElementId.of(new TableId(null, "t"), List.of("1")))
                .isInstanceOf(IllegalArgumentException.class);
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

    @Test
    void relation_plainNames_childIdPlusConstraintName() {
        ElementId child = ElementId.of("public", "orders", List.of("7"));
        ElementId rel = ElementId.relation(child, "orders_customer_id_fkey");
        assertThat(rel.value()).isEqualTo("public:orders:7:orders_customer_id_fkey");
        assertThat(rel.relationName()).contains("orders_customer_id_fkey");
        assertThat(rel.keyComponents()).containsExactly("7");
        assertThat(rel.value()).startsWith(ElementId.prefix(TableId.of("public", "orders")));
        assertThat(child.relationName()).isEmpty();
        assertThat(ElementId.relation(child, "a:b%").value()).isEqualTo("public:orders:7:a%3Ab%25");
    }

    @Test
    void relation_ofRelationId_rejected() {
        ElementId rel = ElementId.relation(ElementId.of("s", "t", List.of("1")), "fk");
        assertThatThrownBy(() -> ElementId.relation(rel, "fk2")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parseRelation_roundTripsAndRejectsForeignIds() {
        ElementId child = ElementId.of("s:x", "t", Arrays.asList("a:b", null));
        ElementId rel = ElementId.relation(child, "fk:%");
        ElementId parsed = ElementId.parseRelation(rel.value(), child.value());
        assertThat(parsed).isEqualTo(rel);
        assertThat(parsed.relationName()).contains("fk:%");
        assertThat(parsed.keyComponents()).containsExactly("a:b", null);
        assertThatThrownBy(() -> ElementId.parseRelation(
                        rel.value(), ElementId.of("s:x", "t", List.of("a")).value()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ElementId.parseRelation(child.value() + ":a:b", child.value()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Nodes and relations share one id namespace: with every table's key arity fixed (as it is: primary key or
     * table_keys), no relation id equals a node id and no two distinct (table, key, constraint) give one id.
     */
    @Test
    void relation_randomHostileInputs_neverEqualsNodeIdOrOtherRelation() {
        Random random = new Random(21);
        char[] alphabet = {'a', ':', '%', '3', 'A', '2', '5', '0', '"', 'ü', ' '};
        Map<String, List<String>> seen = new HashMap<>();
        for (int n = 0; n < 50_000; n++) {
            String schema = randomString(random, alphabet);
            String table = randomString(random, alphabet);
            int arity = 1 + Math.floorMod((schema + '\u0000' + table).hashCode(), 3); // fixed per table
            List<String> keys = new ArrayList<>();
            for (int k = 0; k < arity; k++) {
                keys.add(random.nextInt(10) == 0 ? null : randomString(random, alphabet));
            }
            ElementId node = ElementId.of(schema, table, keys);
            String constraint = randomString(random, alphabet);
            ElementId rel = ElementId.relation(node, constraint);
            List<String> nodeIdentity = new ArrayList<>(List.of("node", schema, table));
            nodeIdentity.addAll(
                    keys.stream().map(k -> k == null ? "<null>" : "v" + k).toList());
            List<String> relIdentity = new ArrayList<>(nodeIdentity);
            relIdentity.set(0, "relation");
            relIdentity.add(constraint);
            for (var e : List.of(Map.entry(node.value(), nodeIdentity), Map.entry(rel.value(), relIdentity))) {
                List<String> previous = seen.putIfAbsent(e.getKey(), e.getValue());
                assertThat(previous == null || previous.equals(e.getValue()))
                        .as("collision on %s: %s vs %s", e.getKey(), previous, e.getValue())
                        .isTrue();
            }
            assertThat(ElementId.parseRelation(rel.value(), node.value())).isEqualTo(rel);
        }
    }
}

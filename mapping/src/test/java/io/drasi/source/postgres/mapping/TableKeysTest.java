package io.drasi.source.postgres.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.model.TableId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableKeysTest {

    @Test
    void keyColumns_noConfig_primaryKey() {
        assertThat(TableKeys.none().keyColumns(TableId.of("public", "users"), List.of("id")))
                .containsExactly("id");
    }

    @Test
    void keyColumns_bareTableName_matchesAnySchema() {
        TableKeys keys = TableKeys.of(Map.of("users", List.of("email")));
        assertThat(keys.keyColumns(TableId.of("public", "users"), List.of("id")))
                .containsExactly("email");
        assertThat(keys.keyColumns(TableId.of("crm", "users"), null)).containsExactly("email");
        assertThat(keys.keyColumns(TableId.of("crm", "accounts"), List.of("id")))
                .containsExactly("id");
    }

    @Test
    void keyColumns_qualifiedAndQuoted_matchOnlyThatSchemaAndWinOverBare() {
        Map<Object, List<String>> config = new LinkedHashMap<>();
        config.put("users", List.of("email"));
        config.put("crm.users", List.of("crm_id"));
        config.put("\"My Schema\".\"Odd.Table\"", List.of("a", "b"));
        config.put(TableId.of("x", "y"), List.of("z"));
        TableKeys keys = TableKeys.of(config);
        assertThat(keys.keyColumns(TableId.of("crm", "users"), List.of("id"))).containsExactly("crm_id");
        assertThat(keys.keyColumns(TableId.of("public", "users"), List.of("id")))
                .containsExactly("email");
        assertThat(keys.keyColumns(TableId.of("My Schema", "Odd.Table"), null)).containsExactly("a", "b");
        assertThat(keys.configured(TableId.of("my schema", "odd.table"))).isEmpty();
        assertThat(keys.keyColumns(TableId.of("x", "y"), List.of())).containsExactly("z");
    }

    @Test
    void keyColumns_noConfigNoPrimaryKey_missingKeyNamesTableAndFixes() {
        assertThatThrownBy(() -> TableKeys.none().keyColumns(TableId.of("public", "logs"), List.of()))
                .isInstanceOf(MissingKeyException.class)
                .isInstanceOf(io.drasi.source.postgres.core.DrasiPostgresException.class)
                .hasMessageContaining("public.logs")
                .hasMessageContaining("table_keys")
                .hasMessageContaining("primary key")
                .satisfies(e -> assertThat(((MissingKeyException) e).table()).isEqualTo(TableId.of("public", "logs")));
    }

    @Test
    void of_invalidConfig_rejected() {
        assertThatThrownBy(() -> TableKeys.of(Map.of("t", List.of()))).isInstanceOf(IllegalArgumentException.class);
        Map<Object, List<String>> dup = new LinkedHashMap<>();
        dup.put("T", List.of("a"));
        dup.put("t", List.of("b"));
        assertThatThrownBy(() -> TableKeys.of(dup))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than one");
    }
}

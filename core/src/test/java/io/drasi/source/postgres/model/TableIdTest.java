package io.drasi.source.postgres.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TableIdTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "users|           |users",
                "public.users|    public|users",
                "Public.Users|    public|users",
                "\"My Schema\".\"Odd.Table\"|My Schema|Odd.Table",
                "\"a\"\"b\".t|    a\"b|t",
                " s . \"T\" |     s|T"
            })
    void parse_validNames_schemaAndTable(String text, String schema, String table) {
        TableId id = TableId.parse(text);
        assertThat(id.schema()).isEqualTo(schema);
        assertThat(id.table()).isEqualTo(table);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a.b.c", "\"unterminated", "a.", ".b", "a\"b", "\"x\"y"})
    void parse_invalidNames_rejected(String text) {
        assertThatThrownBy(() -> TableId.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toQuotedString_oddNames_roundTrips() {
        for (TableId id : new TableId[] {
            TableId.of("My Schema", "Odd.Table"),
            TableId.of("public", "users"),
            TableId.of("a\"b", "1x"),
            new TableId(null, "Users")
        }) {
            assertThat(TableId.parse(id.toQuotedString())).isEqualTo(id);
        }
        assertThat(TableId.of("public", "users").toQuotedString()).isEqualTo("public.users");
        assertThat(TableId.of("My Schema", "Odd.Table").toQuotedString()).isEqualTo("\"My Schema\".\"Odd.Table\"");
    }

    @Test
    void toString_qualifiedAndBare_plain() {
        assertThat(TableId.of("public", "users")).hasToString("public.users");
        assertThat(new TableId(null, "users")).hasToString("users");
        assertThat(TableId.of("public", "users").unqualified()).isEqualTo(new TableId(null, "users"));
        assertThat(new TableId(null, "users").unqualified().isQualified()).isFalse();
    }

    @Test
    void new_emptyParts_rejected() {
        assertThatThrownBy(() -> new TableId("", "t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TableId("s", "")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "users|public|users",
                "Users|public|users",
                "sales.orders|sales|orders",
                "\"Odd Schema\".\"T\"|Odd Schema|T",
                "\"a\"\"b\".c$1|a\"b|c$1",
                "_x._y|_x|_y",
                "Café.Ärger|café|Ärger"
            })
    void parseQualified_valid_inPublicUnlessQualified(String text, String schema, String table) {
        assertThat(TableId.parseQualified(text)).isEqualTo(TableId.of(schema, table));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1abc", "a-b", "\"\"", "s.t u"})
    void parse_notAnIdentifier_rejectedNamingTheText(String text) {
        assertThatThrownBy(() -> TableId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void parse_tooLong_rejected() {
        assertThatThrownBy(() -> TableId.parse("t".repeat(64))).hasMessageContaining("63 bytes");
        assertThat(TableId.parse("t".repeat(63)).table()).hasSize(63);
    }

    @Test
    void sql_anyName_alwaysQuoted() {
        assertThat(TableId.parseQualified("\"a\"\"b\".order").sql()).isEqualTo("\"a\"\"b\".\"order\"");
        assertThat(TableId.parse("t").sql()).isEqualTo("\"t\"");
    }
}

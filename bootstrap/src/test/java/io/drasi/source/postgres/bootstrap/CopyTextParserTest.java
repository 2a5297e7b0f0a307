package io.drasi.source.postgres.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** PostgreSQL's COPY text format, one CopyData row at a time (what the bootstrap reads). */
class CopyTextParserTest {

    private final CopyTextParser parser = new CopyTextParser();

    private String[] parse(String row, int columns) {
        String[] out = new String[columns];
        parser.parse(row.getBytes(StandardCharsets.UTF_8), columns, out);
        return out;
    }

    @Test
    void parse_plainFieldsNullsAndEmpty_splitOnTab() {
        assertThat(parse("1\tAlice\t\\N\t\n", 4)).containsExactly("1", "Alice", null, "");
        assertThat(parse("1\tno newline", 2)).containsExactly("1", "no newline");
        assertThat(parse("\n", 1)).containsExactly("");
        assertThat(parse("\\N", 1)).containsExactly((String) null);
    }

    @Test
    void parse_backslashEscapes_decoded() {
        assertThat(parse("a\\tb\\nc\\\\d\\be\\ff\\rg\\vh\n", 1)).containsExactly("a\tb\nc\\d\be\ff\rg\u000Bh");
        assertThat(parse("\\x41\\x4a\\xZ\\101\\7", 1)).containsExactly("AJxZA\u0007");
        assertThat(parse("\\N\\N", 1))
                .as("NULL only when the whole field is \\N")
                .containsExactly("NN");
        assertThat(parse("\\q", 1))
                .as("an unknown escape is the character itself")
                .containsExactly("q");
        assertThat(parse("end\\", 1)).as("a trailing backslash is kept").containsExactly("end\\");
    }

    @Test
    void parse_multiByteUtf8_rawAndNextToEscapesAndAsOctalBytes() {
        assertThat(parse("héllo\t😀𝄞\n", 2)).containsExactly("héllo", "😀𝄞");
        assertThat(parse("😀\\t😀\t\\\\ü", 2)).containsExactly("😀\t😀", "\\ü");
        // COPY may emit a multi-byte character as escaped bytes: decoded together, not per byte
        assertThat(parse("caf\\303\\251 \\xf0\\x9f\\x98\\x80", 1)).containsExactly("café 😀");
    }

    @Test
    void parse_longEscapedField_scratchGrows() {
        String big = "x\\t".repeat(10_000);
        assertThat(parse(big, 1)[0]).hasSize(20_000).startsWith("x\tx\t");
        assertThat(parse("a\\tb", 1)).containsExactly("a\tb");
    }

    @Test
    void parse_wrongFieldCount_illegalState() {
        assertThatThrownBy(() -> parse("1\t2\t3", 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than the expected 2");
        assertThatThrownBy(() -> parse("1", 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1 fields, expected 2");
    }
}

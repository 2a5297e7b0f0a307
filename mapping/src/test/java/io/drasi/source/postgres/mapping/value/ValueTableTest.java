package io.drasi.source.postgres.mapping.value;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.mapping.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README value table is generated from {@link ValueTable}, whose examples the converter converts. */
class ValueTableTest {

    @Test
    void readme_valueTableSection_equalsGeneratedTable() throws IOException {
        String table = ValueTable.markdown();
        Path out = Path.of("target", "value-table.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        Golden.assertReadmeSection("value-table", table, "regenerate from target/value-table.md");
    }

    @Test
    void rows_everyExampleConverts_oneRowPerFamily() {
        assertThat(ValueTable.ROWS)
                .hasSizeGreaterThan(20)
                .allSatisfy(r -> assertThat(r.exampleJson()).isNotBlank());
    }
}

package io.drasi.source.postgres.config;

import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.mapping.Golden;
import org.junit.jupiter.api.Test;

class ReadmeConfigTableTest {

    @Test
    void readme_configKeysSection_equalsGeneratedTable() {
        Golden.assertReadmeSection(
                "config-keys",
                PostgresSourceConfig.configKeysMarkdownTable(),
                "regenerate from PostgresSourceConfig.configKeysMarkdownTable()");
    }
}

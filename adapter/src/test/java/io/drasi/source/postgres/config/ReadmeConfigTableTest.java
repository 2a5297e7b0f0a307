package io.drasi.source.postgres.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresSourceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReadmeConfigTableTest {

    @Test
    void readme_configKeysSection_equalsGeneratedTable() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("<!-- config-keys:start");
        int end = readme.indexOf("<!-- config-keys:end -->");
        assertThat(start).as("README config-keys markers").isGreaterThan(0);
        String section = readme.substring(readme.indexOf('\n', start) + 1, end).strip();
        assertThat(section)
                .as("README table; regenerate from PostgresSourceConfig.configKeysMarkdownTable()")
                .isEqualTo(PostgresSourceConfig.configKeysMarkdownTable().strip());
    }
}

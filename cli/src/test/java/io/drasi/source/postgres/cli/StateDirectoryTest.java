package io.drasi.source.postgres.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresSourceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {

    private static PostgresSourceConfig config() {
        return PostgresSourceConfig.builder()
                .withDatabase("db")
                .withUser("u")
                .withTables("t")
                .build();
    }

    @Test
    void of_xdgStateHome_usedWhenAbsolute_elseHomeLocalState(@TempDir Path home) {
        assertThat(StateDirectory.of(Map.of("XDG_STATE_HOME", "/var/state"), home))
                .isEqualTo(Path.of("/var/state/drasi-pg"));
        assertThat(StateDirectory.of(Map.of("XDG_STATE_HOME", "relative"), home))
                .isEqualTo(home.resolve(".local/state/drasi-pg"));
        assertThat(StateDirectory.of(Map.of(), home)).isEqualTo(home.resolve(".local/state/drasi-pg"));
    }

    @Test
    void withDefaultOffsets_notConfigured_offsetFileInStateDirectoryNotWorkingDirectory(
            @TempDir Path home, @TempDir Path cwd) {
        PostgresSourceConfig c = StateDirectory.withDefaultOffsets(config(), "pg-source", Map.of(), home, cwd);
        assertThat(c.offsetStoreFile("pg-source")).contains(home.resolve(".local/state/drasi-pg/pg-source.offsets"));
    }

    @Test
    void withDefaultOffsets_configured_unchanged(@TempDir Path home, @TempDir Path cwd) {
        PostgresSourceConfig configured =
                config().toBuilder().withOffsetStore("mine/{sourceId}.off").build();
        assertThat(StateDirectory.withDefaultOffsets(configured, "s", Map.of(), home, cwd))
                .isSameAs(configured);
        PostgresSourceConfig memory = config().toBuilder().withInMemoryOffsets().build();
        assertThat(StateDirectory.withDefaultOffsets(memory, "s", Map.of(), home, cwd))
                .isSameAs(memory);
    }

    @Test
    void withDefaultOffsets_fileAtTheOldDefault_keptSoAnUpgradeResumes(@TempDir Path home, @TempDir Path cwd)
            throws Exception {
        Path legacy = cwd.resolve("drasi-offsets/pg-source.offsets");
        Files.createDirectories(legacy.getParent());
        Files.writeString(legacy, "x");
        PostgresSourceConfig c = StateDirectory.withDefaultOffsets(config(), "pg-source", Map.of(), home, cwd);
        assertThat(c.offsetStoreFile("pg-source")).contains(legacy);
    }
}

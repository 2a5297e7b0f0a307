package io.drasi.source.postgres.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresSourceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigKeysTest {

    @Test
    void markdownTable_everyKey_oneRowWithBothSpellingsBuilderAndDefault() throws IOException {
        String table = PostgresSourceConfig.configKeysMarkdownTable();
        List<String> rows = table.lines().toList();

        assertThat(rows).hasSize(ConfigKeys.ALL.size() + 2);
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            assertThat(rows)
                    .as(k.snakeName())
                    .anyMatch(r -> r.startsWith("| `" + k.snakeName() + "` | `" + k.camelName() + "` | `"
                                    + k.builderMethod() + "` |")
                            && r.contains(k.defaultText()));
        }
        assertThat(rows).allMatch(r -> r.startsWith("|") && r.endsWith("|"));
        Path out = Path.of("target", "config-keys.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }

    @Test
    void markdownTable_seedFields_listedWithSeedDefaults() {
        String table = ConfigKeys.markdownTable();

        assertThat(table)
                .contains("| `host` | `host` | `withHost` | string | `localhost` |")
                .contains("| `port` | `port` | `withPort` | integer | `5432` |")
                .contains("| `slot_name` | `slotName` | `withSlotName` | string | `drasi_slot` |")
                .contains("| `publication_name` | `publicationName` | `withPublicationName` | string | "
                        + "`drasi_publication` |")
                .contains("| `ssl_mode` | `sslMode` | `withSslMode` | disable \\| prefer \\| require \\| verify-ca \\| "
                        + "verify-full | `prefer` |")
                .contains("| `password` | `password` | `withPassword` | string | `\"\"` | **Secret.**");
    }

    @Test
    void all_names_uniqueInBothSpellings() {
        Set<String> snake = new HashSet<>();
        Set<String> camel = new HashSet<>();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            assertThat(snake.add(k.snakeName())).as(k.snakeName()).isTrue();
            assertThat(camel.add(k.camelName())).as(k.camelName()).isTrue();
            assertThat(k.snakeName()).matches("[a-z]+(_[a-z]+)*");
            assertThat(k.camelName()).matches("[a-z]+([A-Z][a-z]+)*");
        }
    }

    @Test
    void all_onlyPasswordSecret() {
        assertThat(ConfigKeys.ALL.stream().filter(ConfigKey::secret).toList()).containsExactly(ConfigKeys.PASSWORD);
    }

    @Test
    void builder_initialValues_equalRegistryDefaults() {
        PostgresSourceConfig c = PostgresSourceConfig.builder()
                .withDatabase("d")
                .withUser("u")
                .withTables("t")
                .build();

        for (ConfigKey<?> k : ConfigKeys.ALL) {
            if (!k.required()) {
                assertThat((Object) k.get(c)).as(k.snakeName()).isEqualTo(k.defaultValue());
            }
        }
    }
}

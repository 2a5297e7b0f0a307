package io.drasi.source.postgres.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.core.SslMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations, environment substitution, suggestions, table names, ssl modes. */
class ConfigHelpersTest {

    @ParameterizedTest
    @CsvSource({
        "10ms,10",
        "10MS,10",
        "2s,2000",
        "2 s,2000",
        "1m,60000",
        "3h,10800000",
        "PT2S,2000",
        "PT0.01S,10",
        "0,0",
        "1500,1500"
    })
    void durationsParse_validForms_parsed(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1.5s", "abc", "PT-1S", "5 minutes", "99999999999999999999"})
    void durationsParse_invalid_throwsWithSyntax(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10ms, 2s, 1m");
    }

    @Test
    void durationsFormat_values_shortestExactForm() {
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0");
        assertThat(Durations.format(Duration.ofMillis(10))).isEqualTo("10ms");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ofHours(1))).isEqualTo("1h");
        assertThat(Durations.format(Duration.ofNanos(5))).isEqualTo("PT0.000000005S");
    }

    @Test
    void yamlEnvSubstitute_forms_substituted() {
        Map<String, String> env = Map.of("A", "x", "EMPTY", "");

        assertThat(YamlEnv.substitute("${A}", env).value()).isEqualTo("x");
        assertThat(YamlEnv.substitute("pre-${A}-${A}-post", env).value()).isEqualTo("pre-x-x-post");
        assertThat(YamlEnv.substitute("${B:-dflt}", env).value()).isEqualTo("dflt");
        assertThat(YamlEnv.substitute("${EMPTY:-dflt}", env).value()).isEqualTo("dflt");
        assertThat(YamlEnv.substitute("${B:-}", env).value()).isEmpty();
        assertThat(YamlEnv.substitute("${B:-a:-b}", env).value()).isEqualTo("a:-b");
        assertThat(YamlEnv.substitute("$${A}", env).value()).isEqualTo("${A}");
        assertThat(YamlEnv.substitute("no vars $ here ${ unterminated", env).value())
                .isEqualTo("no vars $ here ${ unterminated");
        assertThat(YamlEnv.substitute("${not a var}", env).value()).isEqualTo("${not a var}");
    }

    @Test
    void yamlEnvSubstituteWhole_drasiServerRules() {
        Map<String, String> env = Map.of("A", "x", "EMPTY", "");

        assertThat(YamlEnv.substituteWhole("${A}", env).value()).isEqualTo("x");
        assertThat(YamlEnv.substituteWhole("${EMPTY:-dflt}", env).value()).isEmpty();
        assertThat(YamlEnv.substituteWhole("${B:-dflt}", env).value()).isEqualTo("dflt");
        assertThat(YamlEnv.substituteWhole("${B:-a:-b}", env).value()).isEqualTo("a:-b");
        assertThat(YamlEnv.substituteWhole("pre-${A}", env).value()).isEqualTo("pre-${A}");
        assertThat(YamlEnv.substituteWhole("$${A}", env).value()).isEqualTo("$${A}");
        assertThat(YamlEnv.substituteWhole("${", env).value()).isEqualTo("${");
        assertThat(YamlEnv.substituteWhole("${B}", env).missing()).containsExactly("B");
    }

    @Test
    void yamlEnvSubstitute_unset_reportsEveryMissingName() {
        YamlEnv.Result r = YamlEnv.substitute("${X}/${A}/${Y}", Map.of("A", "a"));

        assertThat(r.missing()).containsExactly("X", "Y");
    }

    @Test
    void suggestionsClosest_typo_found() {
        List<String> keys = ConfigKeys.names(Naming.SNAKE);

        assertThat(Suggestions.closest("slot_nme", keys)).contains("slot_name");
        assertThat(Suggestions.closest("hots", keys)).contains("host");
        assertThat(Suggestions.closest("PASSWORD", keys)).contains("password");
        assertThat(Suggestions.closest("table_key", keys)).contains("table_keys");
        assertThat(Suggestions.closest("completely_unrelated", keys)).isEmpty();
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void sslModeFromValue_spellings_parsed() {
        assertThat(SslMode.fromValue("verify-full")).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(SslMode.fromValue("VERIFY_CA")).isEqualTo(SslMode.VERIFY_CA);
        assertThat(SslMode.PREFER.verifiesCertificate()).isFalse();
        assertThatThrownBy(() -> SslMode.fromValue("allow"))
                .hasMessageContaining("disable, prefer, require, verify-ca, verify-full");
    }

    @Test
    void configurationException_problems_onePerLine() {
        ConfigurationException e = new ConfigurationException(List.of("a", "b"));

        assertThat(e.getMessage().lines())
                .containsExactly("Invalid PostgreSQL source configuration (2 problems):", "  - a", "  - b");
        assertThatThrownBy(() -> new ConfigurationException(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}

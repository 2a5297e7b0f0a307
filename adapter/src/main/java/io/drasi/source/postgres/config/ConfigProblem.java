package io.drasi.source.postgres.config;

import java.util.function.Function;

/**
 * One configuration problem. Its text is rendered late, in the spelling of the input (see
 * {@link Naming}), so the same validation serves the builder and both YAML formats.
 *
 * @param key  the key the problem is about, or null when it concerns the file as a whole
 * @param text renders the full operator-facing line (key, what is wrong, the fix)
 */
public record ConfigProblem(ConfigKey<?> key, Function<Naming, String> text) {

    static ConfigProblem of(ConfigKey<?> key, String fixedText) {
        return new ConfigProblem(key, n -> fixedText);
    }

    public String render(Naming naming) {
        return text.apply(naming);
    }
}

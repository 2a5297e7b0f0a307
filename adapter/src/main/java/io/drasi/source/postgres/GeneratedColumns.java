package io.drasi.source.postgres;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Whether stored generated columns ({@code GENERATED ALWAYS AS (...) STORED}) become element properties.
 *
 * <ul>
 *   <li>{@link #INCLUDE} (default) – in bootstrap and stream. PostgreSQL 18+ publishes them when the
 *   publication has {@code publish_generated_columns = stored} (set when the source creates it); before 18
 *   (or with a publication without it) the source reads them by key after the change, one query per
 *   table per delivered batch.</li>
 *   <li>{@link #OMIT} – never: neither bootstrapped nor streamed, no extra query.</li>
 * </ul>
 *
 * <p>Thread-safety: immutable enum.
 */
public enum GeneratedColumns {
    /** Generated columns are properties (bootstrap and stream). */
    INCLUDE("include"),
    /** Generated columns are left out everywhere. */
    OMIT("omit");

    private final String value;

    GeneratedColumns(String value) {
        this.value = value;
    }

    /** @return the configuration spelling ({@code include} or {@code omit}); never null */
    public String value() {
        return value;
    }

    /**
     * @param text {@code include} or {@code omit}, case-insensitive; never null
     * @return the setting
     * @throws IllegalArgumentException naming the valid values
     */
    public static GeneratedColumns fromValue(String text) {
        return find(text)
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown generated columns setting '" + text + "'; expected one of " + validValues()));
    }

    /**
     * @param text a value as written in configuration; may be null
     * @return the setting, or empty when the text names none
     */
    public static Optional<GeneratedColumns> find(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String norm = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.value.equals(norm)).findFirst();
    }

    static String validValues() {
        return Arrays.stream(values()).map(GeneratedColumns::value).collect(Collectors.joining(", "));
    }

    /** @return {@link #value()} */
    @Override
    public String toString() {
        return value;
    }
}

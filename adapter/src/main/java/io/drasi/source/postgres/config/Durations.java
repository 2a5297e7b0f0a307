package io.drasi.source.postgres.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and renders the duration syntax of the configuration files: {@code 10ms}, {@code 2s},
 * {@code 1m} (minutes), {@code 1h}, ISO-8601 {@code PT2S}, or a bare whole number of milliseconds.
 * Negative durations are rejected.
 */
final class Durations {

    static final String SYNTAX = "e.g. 10ms, 2s, 1m, 1h, PT2S, or a whole number of milliseconds";

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private Durations() {}

    /**
     * @param text the configured text; never null
     * @return the duration, never negative
     * @throws IllegalArgumentException with a message saying what is accepted
     */
    static Duration parse(String text) {
        String t = text.trim();
        try {
            if (DIGITS.matcher(t).matches()) {
                return Duration.ofMillis(Long.parseLong(t));
            }
            Matcher m = WITH_UNIT.matcher(t);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "ms":
                        return Duration.ofMillis(n);
                    case "s":
                        return Duration.ofSeconds(n);
                    case "m":
                        return Duration.ofMinutes(n);
                    default:
                        return Duration.ofHours(n);
                }
            }
            if (!t.isEmpty() && (t.charAt(0) == 'P' || t.charAt(0) == 'p')) {
                Duration d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (d.isNegative()) {
                    throw new IllegalArgumentException("a duration must not be negative; write " + SYNTAX);
                }
                return d;
            }
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            // fall through to the common message
        }
        throw new IllegalArgumentException("not a duration; write " + SYNTAX);
    }

    /**
     * @param d a duration; may be null
     * @return the shortest exact form in the file syntax ({@code 0}, {@code 10ms}, {@code 30s},
     *     {@code 1m}), ISO-8601 if not a whole number of milliseconds, {@code null} for null
     */
    static String format(Duration d) {
        if (d == null) {
            return null;
        }
        if (d.isZero()) {
            return "0";
        }
        if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}

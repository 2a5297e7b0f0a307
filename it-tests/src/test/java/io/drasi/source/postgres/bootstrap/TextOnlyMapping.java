package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.model.ElementValue;
import io.drasi.source.postgres.mapping.value.PgColumnType;
import java.util.List;

/**
 * Test double for the value seam: every value as its PostgreSQL text (NULL as null), key = that text.
 * Lets reader/hand-over tests compare rows with {@code SELECT col::text} independently of the real
 * converter (whose own parity test is {@code BootstrapValueParityTest}).
 */
final class TextOnlyMapping implements ValueMapping {

    static final TextOnlyMapping INSTANCE = new TextOnlyMapping();

    @Override
    public List<String> sessionSettings() {
        return List.of("SET DateStyle = 'ISO, MDY'", "SET IntervalStyle = 'iso_8601'", "SET TimeZone = 'UTC'",
                "SET extra_float_digits = 3", "SET bytea_output = 'hex'");
    }

    @Override
    public ElementValue fromText(PgColumnType type, String text) {
        return text == null ? ElementValue.NULL : ElementValue.of(text);
    }

    @Override
    public String canonicalKey(PgColumnType type, ElementValue value) {
        return value instanceof ElementValue.StringValue s ? s.value() : null;
    }

    static String text(ElementValue v) {
        return v instanceof ElementValue.StringValue s ? s.value() : null;
    }
}

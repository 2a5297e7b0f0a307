package io.drasi.source.postgres.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Drasi element property value: null, bool, integer (i64), float (f64), string, list or object.
 *
 * <p>Floats are always finite: PostgreSQL's NaN and ±Infinity are represented as the strings
 * {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} by the converter, so every value is valid
 * JSON. Lists and objects are unmodifiable; objects keep insertion order.
 *
 * <p>Thread-safety: all implementations are immutable. Nullability: components are never null;
 * SQL NULL is {@link #NULL}.
 */
public sealed interface ElementValue
        permits ElementValue.NullValue,
                ElementValue.BoolValue,
                ElementValue.IntValue,
                ElementValue.FloatValue,
                ElementValue.StringValue,
                ElementValue.ListValue,
                ElementValue.ObjectValue {

    /** The null value (SQL NULL). */
    NullValue NULL = NullValue.INSTANCE;
    /** {@code true}. */
    BoolValue TRUE = new BoolValue(true);
    /** {@code false}. */
    BoolValue FALSE = new BoolValue(false);

    /**
     * @param b the boolean
     * @return the shared instance for it
     */
    static BoolValue of(boolean b) {
        return b ? TRUE : FALSE;
    }

    /**
     * @param v the integer
     * @return an integer value
     */
    static IntValue of(long v) {
        return new IntValue(v);
    }

    /**
     * @param s the string; never null
     * @return a string value
     */
    static StringValue of(String s) {
        return new StringValue(s);
    }

    /** SQL NULL; use {@link ElementValue#NULL}. */
    final class NullValue implements ElementValue {
        private static final NullValue INSTANCE = new NullValue();

        private NullValue() {}

        @Override
        public String toString() {
            return "null";
        }
    }

    /** A boolean. @param value the value */
    record BoolValue(boolean value) implements ElementValue {}

    /** A 64-bit signed integer. @param value the value */
    record IntValue(long value) implements ElementValue {}

    /**
     * A finite 64-bit float.
     *
     * @param value the value; must be finite
     */
    record FloatValue(double value) implements ElementValue {
        /** Rejects NaN and infinities (they are not JSON; the converter maps them to strings). */
        public FloatValue {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("FloatValue must be finite, got " + value);
            }
        }
    }

    /** A string. @param value the value; never null */
    record StringValue(String value) implements ElementValue {
        /** Rejects null. */
        public StringValue {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * An unmodifiable list.
     *
     * @param values the elements; never null, no null elements (use {@link ElementValue#NULL})
     */
    record ListValue(List<ElementValue> values) implements ElementValue {
        /** Copies into an unmodifiable list. */
        public ListValue {
            values = List.copyOf(values);
        }
    }

    /**
     * An unmodifiable, insertion-ordered map.
     *
     * @param values the entries; never null, no null keys or values
     */
    record ObjectValue(Map<String, ElementValue> values) implements ElementValue {
        /** Copies into an unmodifiable insertion-ordered map. */
        public ObjectValue {
            values = copyOrdered(values);
        }

        private static Map<String, ElementValue> copyOrdered(Map<String, ElementValue> in) {
            Objects.requireNonNull(in, "values");
            if (in.isEmpty()) {
                return Map.of();
            }
            LinkedHashMap<String, ElementValue> copy = new LinkedHashMap<>(Math.max(4, (int) (in.size() / 0.75f) + 1));
            for (Map.Entry<String, ElementValue> e : in.entrySet()) {
                copy.put(Objects.requireNonNull(e.getKey(), "key"), Objects.requireNonNull(e.getValue(), "value"));
            }
            return Collections.unmodifiableMap(copy);
        }
    }
}

package io.drasi.source.postgres.config;

import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.PostgresSourceConfig;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The single definition of one configuration key: both spellings, the Java builder method, type,
 * default, one-line documentation and flags. The YAML loaders, the builder's initial values,
 * {@code equals}/{@code toString} of the config and the README table are all derived from these.
 *
 * @param <T> the Java type of the value
 */
public final class ConfigKey<T> {

    private final String snakeName;
    private final String camelName;
    private final KeyType<T> type;
    private final T defaultValue;
    private final String defaultText;
    private final String doc;
    private final boolean required;
    private final boolean secret;
    private final boolean nullable;
    private final Function<PostgresSourceConfig, T> getter;
    private final BiConsumer<PostgresSourceBuilder, T> setter;

    ConfigKey(
            String snakeName,
            KeyType<T> type,
            T defaultValue,
            String defaultText,
            String doc,
            boolean required,
            boolean secret,
            boolean nullable,
            Function<PostgresSourceConfig, T> getter,
            BiConsumer<PostgresSourceBuilder, T> setter) {
        this.snakeName = snakeName;
        this.camelName = toCamel(snakeName);
        this.type = type;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.doc = doc;
        this.required = required;
        this.secret = secret;
        this.nullable = nullable;
        this.getter = getter;
        this.setter = setter;
    }

    String snakeName() {
        return snakeName;
    }

    public String camelName() {
        return camelName;
    }

    /** @return the builder method, e.g. {@code withSlotName} */
    public String builderMethod() {
        return "with" + Character.toUpperCase(camelName.charAt(0)) + camelName.substring(1);
    }

    KeyType<T> type() {
        return type;
    }

    /** @return the default value (the builder's initial value); null for required keys and optional paths */
    public T defaultValue() {
        return defaultValue;
    }

    /** @return the default as documented (e.g. {@code required}, {@code 10ms}) */
    String defaultText() {
        return defaultText;
    }

    String doc() {
        return doc;
    }

    boolean required() {
        return required;
    }

    /** @return true if the value must never be logged, shown or echoed in errors */
    boolean secret() {
        return secret;
    }

    /** @return true if null is a legal value (an optional setting that is absent) */
    boolean nullable() {
        return nullable;
    }

    public T get(PostgresSourceConfig config) {
        return getter.apply(config);
    }

    void set(PostgresSourceBuilder builder, T value) {
        setter.accept(builder, value);
    }

    /** Copies this key's value from a config into a builder. */
    public void copy(PostgresSourceConfig from, PostgresSourceBuilder to) {
        setter.accept(to, getter.apply(from));
    }

    /** @return the value as shown by {@code toString()}: masked if secret */
    public String display(PostgresSourceConfig config) {
        T v = getter.apply(config);
        if (secret) {
            return v == null || v.toString().isEmpty() ? "\"\"" : "****";
        }
        return v == null ? "null" : type.render(v);
    }

    private static String toCamel(String snake) {
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char c : snake.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return snakeName;
    }
}

package io.drasi.source.postgres.config;

/**
 * Which spelling of the configuration keys a message or a loader uses: snake_case in the seed /
 * drasi-lib YAML ({@code slot_name}), camelCase in drasi-server YAML and for the Java builder
 * ({@code slotName}, whose builder method is {@code withSlotName}).
 */
public enum Naming {
    SNAKE,
    CAMEL;

    String of(ConfigKey<?> key) {
        return this == SNAKE ? key.snakeName() : key.camelName();
    }

    /** @return the nested field name ({@code key_columns} / {@code keyColumns}) in this spelling */
    String nested(String snake, String camel) {
        return this == SNAKE ? snake : camel;
    }

    /** @return the key in this spelling, looked up by its snake_case name */
    public String key(String snakeName) {
        return of(ConfigKeys.bySnakeName(snakeName));
    }
}

package io.drasi.source.postgres.kafka;

import io.drasi.source.postgres.mapping.TableKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The settings of {@link DrasiChangeTransform} ({@code transforms.<name>.<key>} in a connector config).
 *
 * <p>{@link #parse(Map)} validates every key and reports every problem at once, each prefixed with
 * its key name, in one {@link ConfigException}.
 *
 * <p>Thread-safety: immutable after construction.
 */
public final class DrasiTransformConfig {

    /** The Drasi source id written into element metadata (required). */
    public static final String SOURCE_ID = "source.id";
    /** Key columns per table, overriding the primary key: {@code users:id;sales.orders:order_id,line_no}. */
    public static final String TABLE_KEYS = "table.keys";
    /** numeric/decimal/money as exact strings instead of floats. */
    public static final String DECIMAL_AS_STRING = "decimal.as.string";
    /** {@code seed}, {@code platform} or {@code host}. */
    public static final String FORMAT = "drasi.format";
    /** {@code json} (a String value) or {@code struct} (a Connect Struct value). */
    public static final String VALUE_TYPE = "drasi.value.type";
    /** What a TRUNCATE record becomes: {@code fail}, {@code drop} or {@code emit} (seed format only). */
    public static final String TRUNCATE_HANDLING = "drasi.truncate.handling";
    /** What an update with unchanged-TOAST placeholders becomes: {@code fail} or {@code omit}. */
    public static final String UNAVAILABLE_HANDLING = "drasi.unavailable.handling";

    /**
     * Output shape: {@code SEED} drasi-core {@code SourceChange} JSON, {@code PLATFORM} the Drasi platform source
     * wire format, {@code HOST} one drasi-server / drasi-lib HTTP source event (JSON only, no TRUNCATE form).
     */
    public enum Format {
        SEED,
        PLATFORM,
        HOST
    }

    /** Output value type. */
    public enum ValueType {
        JSON,
        STRUCT
    }

    /** TRUNCATE handling. */
    public enum TruncateHandling {
        FAIL,
        DROP,
        EMIT
    }

    /** Unchanged-TOAST handling. */
    public enum UnavailableHandling {
        FAIL,
        OMIT
    }

    /** The ConfigDef (also returned by {@link DrasiChangeTransform#config()}). */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(
                    SOURCE_ID,
                    ConfigDef.Type.STRING,
                    ConfigDef.NO_DEFAULT_VALUE,
                    new ConfigDef.NonEmptyStringWithoutControlChars(),
                    ConfigDef.Importance.HIGH,
                    "The Drasi source id written into every element's metadata (source_id),"
                            + " e.g. pg-source. Required.")
            .define(
                    TABLE_KEYS,
                    ConfigDef.Type.STRING,
                    "",
                    new TableKeysValidator(),
                    ConfigDef.Importance.MEDIUM,
                    "Key columns per table, overriding the primary key (required for tables without one):"
                            + " entries 'table:col[,col...]' separated by ';', table as name or schema.name,"
                            + " double-quoted where needed, e.g. users:id;sales.orders:order_id,line_no."
                            + " Also set the connector's message.key.columns to the same columns, so that"
                            + " Debezium itself splits a key change into delete + create.")
            .define(
                    DECIMAL_AS_STRING,
                    ConfigDef.Type.BOOLEAN,
                    false,
                    ConfigDef.Importance.LOW,
                    "numeric/decimal/money values as exact decimal strings instead of floats.")
            .define(
                    FORMAT,
                    ConfigDef.Type.STRING,
                    "seed",
                    ConfigDef.CaseInsensitiveValidString.in("seed", "platform", "host"),
                    ConfigDef.Importance.HIGH,
                    "Value shape: seed (drasi-core SourceChange JSON: type/element/metadata),"
                            + " platform (Drasi platform source wire format: op/payload.before|after) or host (one"
                            + " drasi-server/drasi-lib HTTP source event: operation/element/timestamp in ns, a "
                            + "delete as"
                            + " operation/id/labels/timestamp; the body for POST /sources/{id}/events, e.g. from "
                            + "Debezium"
                            + " Server's HTTP sink; JSON only).")
            .define(
                    VALUE_TYPE,
                    ConfigDef.Type.STRING,
                    "json",
                    ConfigDef.CaseInsensitiveValidString.in("json", "struct"),
                    ConfigDef.Importance.MEDIUM,
                    "json: the value is the JSON text (use StringConverter);"
                            + " struct: a Connect Struct with a fixed schema per format, properties as a map of"
                            + " property name to the value's JSON text (for schema-aware converters).")
            .define(
                    TRUNCATE_HANDLING,
                    ConfigDef.Type.STRING,
                    "fail",
                    ConfigDef.CaseInsensitiveValidString.in("fail", "drop", "emit"),
                    ConfigDef.Importance.MEDIUM,
                    "A TRUNCATE record (only sent with skipped.operations without 't'):"
                            + " fail the task (default), drop it (Drasi keeps the rows), or emit a seed-format"
                            + " {\"type\":\"Truncate\",...} keyed by the table's element id prefix schema:table: "
                            + "(seed only).")
            .define(
                    UNAVAILABLE_HANDLING,
                    ConfigDef.Type.STRING,
                    "fail",
                    ConfigDef.CaseInsensitiveValidString.in("fail", "omit"),
                    ConfigDef.Importance.MEDIUM,
                    "An update whose unchanged TOASTed columns arrived as Debezium's"
                            + " placeholder (REPLICA IDENTITY DEFAULT): fail the task (default), or omit those"
                            + " properties from the Update and name them in the drasi.unavailable header. The"
                            + " placeholder is never emitted. Set REPLICA IDENTITY FULL on tables with large values.");

    private final String sourceId;
    private final TableKeys tableKeys;
    private final boolean decimalAsString;
    private final Format format;
    private final ValueType valueType;
    private final TruncateHandling truncateHandling;
    private final UnavailableHandling unavailableHandling;

    private DrasiTransformConfig(AbstractConfig c) {
        this.sourceId = c.getString(SOURCE_ID);
        this.tableKeys = TableKeysSpec.tableKeys(c.getString(TABLE_KEYS));
        this.decimalAsString = c.getBoolean(DECIMAL_AS_STRING);
        this.format = Format.valueOf(c.getString(FORMAT).toUpperCase(Locale.ROOT));
        this.valueType = ValueType.valueOf(c.getString(VALUE_TYPE).toUpperCase(Locale.ROOT));
        this.truncateHandling =
                TruncateHandling.valueOf(c.getString(TRUNCATE_HANDLING).toUpperCase(Locale.ROOT));
        this.unavailableHandling =
                UnavailableHandling.valueOf(c.getString(UNAVAILABLE_HANDLING).toUpperCase(Locale.ROOT));
    }

    /**
     * Validates and parses.
     *
     * @param props the transform's properties (without the {@code transforms.<name>.} prefix); never null
     * @return the settings
     * @throws ConfigException listing every problem, each as {@code key: message}
     */
    public static DrasiTransformConfig parse(Map<String, ?> props) {
        Map<String, String> strings = new java.util.HashMap<>();
        props.forEach((k, v) -> strings.put(k, v == null ? null : String.valueOf(v)));
        List<String> problems = new ArrayList<>();
        for (ConfigValue v : CONFIG_DEF.validate(strings)) {
            for (String m : v.errorMessages()) {
                problems.add(v.name() + ": " + m);
            }
        }
        if (problems.isEmpty()) {
            String format = strings.getOrDefault(FORMAT, "seed");
            String truncate = strings.getOrDefault(TRUNCATE_HANDLING, "fail");
            if ("emit".equalsIgnoreCase(truncate) && !"seed".equalsIgnoreCase(format)) {
                String why = "platform".equalsIgnoreCase(format)
                        ? "the Drasi platform wire format has no TRUNCATE"
                        : "the drasi-server HTTP source has no TRUNCATE event";
                problems.add(TRUNCATE_HANDLING + ": 'emit' needs " + FORMAT + "=seed: " + why + "; use fail or drop"
                        + " (or re-bootstrap the source after a TRUNCATE)");
            }
            if ("struct".equalsIgnoreCase(strings.getOrDefault(VALUE_TYPE, "json"))
                    && "host".equalsIgnoreCase(format)) {
                problems.add(VALUE_TYPE + ": 'struct' needs " + FORMAT + "=seed or platform: a host event is the JSON"
                        + " body of an HTTP request; use json (with a string value format, e.g. Debezium Server's"
                        + " debezium.format.value=simplestring)");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("invalid DrasiChangeTransform configuration: " + String.join("; ", problems));
        }
        return new DrasiTransformConfig(new AbstractConfig(CONFIG_DEF, props, false));
    }

    public String sourceId() {
        return sourceId;
    }

    public TableKeys tableKeys() {
        return tableKeys;
    }

    public boolean decimalAsString() {
        return decimalAsString;
    }

    public Format format() {
        return format;
    }

    public ValueType valueType() {
        return valueType;
    }

    public TruncateHandling truncateHandling() {
        return truncateHandling;
    }

    public UnavailableHandling unavailableHandling() {
        return unavailableHandling;
    }

    /** Validates {@code table.keys} with {@link TableKeysSpec}. */
    private static final class TableKeysValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                TableKeysSpec.tableKeys(value == null ? "" : value.toString());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "table:col[,col...] entries separated by ';'";
        }
    }
}

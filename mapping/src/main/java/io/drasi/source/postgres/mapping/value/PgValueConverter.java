package io.drasi.source.postgres.mapping.value;

import io.debezium.data.Bits;
import io.debezium.data.VariableScaleDecimal;
import io.drasi.source.postgres.mapping.MappingException;
import io.drasi.source.postgres.mapping.json.ElementValueJson;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.ElementValue.BoolValue;
import io.drasi.source.postgres.model.ElementValue.FloatValue;
import io.drasi.source.postgres.model.ElementValue.IntValue;
import io.drasi.source.postgres.model.ElementValue.ListValue;
import io.drasi.source.postgres.model.ElementValue.NullValue;
import io.drasi.source.postgres.model.ElementValue.ObjectValue;
import io.drasi.source.postgres.model.ElementValue.StringValue;
import io.drasi.source.postgres.model.TableId;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * THE value table: converts one PostgreSQL column value to a Drasi {@link ElementValue}, from either
 * path, and both paths agree exactly for the same PostgreSQL value:
 *
 * <ol>
 *   <li>streaming: {@link #fromConnect(Schema, Object)} on the Kafka Connect value Debezium produced
 *       with {@link #REQUIRED_DEBEZIUM_PROPERTIES};</li>
 *   <li>bootstrap: {@link #fromText(PgColumnType, String)} on PostgreSQL's text output, read in a session
 *       with {@link #REQUIRED_SESSION_SETTINGS}.</li>
 * </ol>
 *
 * <p>Canonical renderings (both paths):
 * <table>
 *   <caption>value table</caption>
 *   <tr><th>PostgreSQL</th><th>Drasi value</th></tr>
 *   <tr><td>int2, int4, int8, oid</td><td>integer</td></tr>
 *   <tr><td>float4, float8</td><td>float; float4 via its shortest decimal form (1.1, not 1.100000023841858);
 *       NaN, ±Infinity → string {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}</td></tr>
 *   <tr><td>numeric, money</td><td>{@link NumericMode#FLOAT}: float (a value beyond the double range
 *       becomes its exact decimal string); {@link NumericMode#EXACT_STRING}: plain decimal string with
 *       trailing zeros removed ({@code 1.50} → {@code "1.5"}); NaN/±Infinity as for floats</td></tr>
 *   <tr><td>bool</td><td>bool</td></tr>
 *   <tr><td>text, varchar, bpchar (padded), char, name, citext, enum, xml, inet, cidr, macaddr,
 *       tsvector, ranges, geometric types other than point, unknown types</td><td>string, PostgreSQL's
 *       text form</td></tr>
 *   <tr><td>uuid</td><td>string, lower case</td></tr>
 *   <tr><td>date</td><td>{@code YYYY-MM-DD} ({@code infinity}/{@code -infinity} kept; BC as ISO expanded
 *       year {@code -0043-03-15})</td></tr>
 *   <tr><td>time</td><td>{@code HH:MM:SS[.ffffff]}, fraction trimmed, {@code 24:00:00} kept</td></tr>
 *   <tr><td>timetz</td><td>normalised to UTC: {@code HH:MM:SS[.ffffff]Z} (Debezium only delivers UTC)</td></tr>
 *   <tr><td>timestamp</td><td>{@code YYYY-MM-DDTHH:MM:SS[.ffffff]}</td></tr>
 *   <tr><td>timestamptz</td><td>UTC: {@code YYYY-MM-DDTHH:MM:SS[.ffffff]Z}</td></tr>
 *   <tr><td>tstzrange</td><td>text form with each bound as canonical UTC timestamptz</td></tr>
 *   <tr><td>interval</td><td>PostgreSQL iso_8601 style: {@code P1Y2M3DT4H5M6.5S}, zero parts omitted, {@code
 *   PT0S}</td></tr>
 *   <tr><td>json, jsonb</td><td>parsed: object/list/scalar</td></tr>
 *   <tr><td>hstore</td><td>object of strings (or null), keys sorted</td></tr>
 *   <tr><td>bytea</td><td>string, standard base64 with padding</td></tr>
 *   <tr><td>bit(n)</td><td>string of n {@code 0}/{@code 1}; varbit: same with leading zeros removed</td></tr>
 *   <tr><td>point</td><td>string {@code (x,y)}</td></tr>
 *   <tr><td>PostGIS geometry, geography</td><td>string, upper-case hex EWKB (PostGIS's text form)</td></tr>
 *   <tr><td>arrays</td><td>list (nested for multi-dimensional), elements per their type</td></tr>
 *   <tr><td>domains</td><td>the base type's mapping</td></tr>
 *   <tr><td>NULL</td><td>{@link ElementValue#NULL}</td></tr>
 * </table>
 *
 * <p>Thread-safety: immutable and stateless; safe for concurrent use. Nullability: schemas and types
 * are never null; a null value means SQL NULL.
 */
public final class PgValueConverter {

    /** How numeric and money values are rendered. */
    public enum NumericMode {
        /** As a float (parity with the native Rust source); the default. */
        FLOAT,
        /** As an exact decimal string, trailing zeros removed. */
        EXACT_STRING
    }

    /** Debezium's placeholder for an unchanged TOASTed column value. */
    public static final String UNAVAILABLE_VALUE_PLACEHOLDER = "__debezium_unavailable_value";

    /** Schema parameter Debezium adds with {@code column.propagate.source.type}: the column's type name. */
    public static final String SOURCE_TYPE_PARAMETER = "__debezium.source.column.type";

    /**
     * Debezium's source type names (upper case, e.g. {@code INT8}) in lower case, one instance per name: lowering
     * each value's type allocated a string whose hash the value table's switch then computed again, for every value
     * streamed (issue 19). Bounded by the number of distinct column types.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, String> LOWER_CASE_TYPES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The Debezium connector properties this converter relies on; the adapter must pass exactly these
     * (and must not override them). Iteration order is stable. {@code decimal.handling.mode=string}, not
     * {@code precise}: under {@code precise} Debezium drops a {@code numeric} NaN/Infinity value (the
     * property vanished in a live test); as a string it arrives exactly and this converter renders it.
     */
    public static final Map<String, String> REQUIRED_DEBEZIUM_PROPERTIES = orderedMap(
            "decimal.handling.mode",
            "string",
            "time.precision.mode",
            "adaptive_time_microseconds",
            "interval.handling.mode",
            "string",
            "binary.handling.mode",
            "bytes",
            "hstore.handling.mode",
            "json",
            "include.unknown.datatypes",
            "true",
            "money.fraction.digits",
            "2",
            "column.propagate.source.type",
            ".*",
            "unavailable.value.placeholder",
            UNAVAILABLE_VALUE_PLACEHOLDER,
            // pgoutput renders values with the walsender session's settings, and database or role defaults apply to
            // it (e.g. extra_float_digits=0 would cut float digits, IntervalStyle=sql_standard break array elements,
            // bytea_output=escape break Debezium's hex parser): pin the ones the text forms depend on
            "driver.options",
            "-c bytea_output=hex -c extra_float_digits=3 -c IntervalStyle=iso_8601 -c lc_monetary=C",
            "converters",
            PgTextConverter.NAME,
            PgTextConverter.NAME + ".type",
            PgTextConverter.class.getName());

    /**
     * The session settings the bootstrap must apply (e.g. {@code SET DateStyle = 'ISO, MDY'}) before it
     * reads rows as text for {@link #fromText(PgColumnType, String)}. Iteration order is stable.
     */
    public static final Map<String, String> REQUIRED_SESSION_SETTINGS = orderedMap(
            "DateStyle", "ISO, MDY",
            "IntervalStyle", "iso_8601",
            "TimeZone", "UTC",
            "extra_float_digits", "3",
            "bytea_output", "hex",
            "lc_monetary", "C");

    /** The default converter ({@link NumericMode#FLOAT}). */
    public static final PgValueConverter DEFAULT = new PgValueConverter(NumericMode.FLOAT);

    private static final PgValueConverter EXACT = new PgValueConverter(NumericMode.EXACT_STRING);
    /** An unchanged TOASTed hstore: Debezium's placeholder map, as JSON under {@code hstore.handling.mode=json}. */
    private static final String HSTORE_PLACEHOLDER_JSON =
            "{\"" + UNAVAILABLE_VALUE_PLACEHOLDER + "\":\"" + UNAVAILABLE_VALUE_PLACEHOLDER + "\"}";

    private static final byte[] PLACEHOLDER_BYTES = UNAVAILABLE_VALUE_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);
    private static final StringValue NAN = new StringValue("NaN");
    private static final StringValue POS_INF = new StringValue("Infinity");
    private static final StringValue NEG_INF = new StringValue("-Infinity");
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private final NumericMode numericMode;
    private final UnmappableValues unmappable;
    private final Consumer<UnmappableValueException> onUnmappable;

    /**
     * A converter that fails on values it cannot convert ({@link UnmappableValues#FAIL}).
     *
     * @param numericMode how numeric/money values are rendered; never null
     */
    public PgValueConverter(NumericMode numericMode) {
        this(numericMode, UnmappableValues.FAIL, e -> {});
    }

    /**
     * @param numericMode  how numeric/money values are rendered; never null
     * @param unmappable   what {@link #columnFromConnect} and {@link #columnFromText} do with a value they cannot
     *                     convert; never null
     * @param onUnmappable told of every value delivered as text under {@link UnmappableValues#TEXT} (on the
     *                     converting thread; must be cheap and thread-safe); never null
     */
    public PgValueConverter(
            NumericMode numericMode, UnmappableValues unmappable, Consumer<UnmappableValueException> onUnmappable) {
        this.numericMode = Objects.requireNonNull(numericMode, "numericMode");
        this.unmappable = Objects.requireNonNull(unmappable, "unmappable");
        this.onUnmappable = Objects.requireNonNull(onUnmappable, "onUnmappable");
    }

    /** @return what happens to a value this converter cannot convert */
    public UnmappableValues unmappableValues() {
        return unmappable;
    }

    // =================================================================== one column, with the policy

    /**
     * Converts one streamed column value, applying the {@link UnmappableValues} policy when it cannot be converted.
     *
     * @param table  the table; never null
     * @param column the column name; never null
     * @param schema the field's schema; never null
     * @param value  the field's value; null for SQL NULL
     * @param lsn    the change's LSN, or null
     * @param declared the column's type from the catalog, or null (see {@link #fromConnect(Schema, Object,
     * PgColumnType)})
     * @return the Drasi value; never null
     * @throws UnmappableValueException under {@link UnmappableValues#FAIL} when the value cannot be converted
     */
    public ElementValue columnFromConnect(
            TableId table, String column, Schema schema, Object value, Long lsn, PgColumnType declared) {
        try {
            return fromConnect(schema, value, declared);
        } catch (RuntimeException e) {
            UnmappableValueException u = new UnmappableValueException(table, column, typeName(schema), lsn, e);
            if (unmappable == UnmappableValues.FAIL) {
                throw u;
            }
            onUnmappable.accept(u);
            return new StringValue(PgText.fromConnect(schema, value, sourceType(schema)));
        }
    }

    /**
     * Converts one bootstrap (text) column value, applying the {@link UnmappableValues} policy when it cannot be
     * converted.
     *
     * @param table  the table; never null
     * @param column the column name; never null
     * @param type   the column's type; never null
     * @param pgText the text value; null for SQL NULL
     * @return the Drasi value; never null
     * @throws UnmappableValueException under {@link UnmappableValues#FAIL} when the value cannot be converted
     */
    public ElementValue columnFromText(TableId table, String column, PgColumnType type, String pgText) {
        try {
            return fromText(type, pgText);
        } catch (RuntimeException e) {
            UnmappableValueException u = new UnmappableValueException(table, column, type.typeName(), null, e);
            if (unmappable == UnmappableValues.FAIL) {
                throw u;
            }
            onUnmappable.accept(u);
            return new StringValue(pgText);
        }
    }

    /** @return how numeric/money values are rendered */
    public NumericMode numericMode() {
        return numericMode;
    }

    // =================================================================== streaming (Kafka Connect)

    /**
     * Converts a Debezium (Kafka Connect) field value.
     *
     * @param schema the field's schema; never null
     * @param value  the field's value; null for SQL NULL. Must not be the unchanged-TOAST placeholder
     *               (check {@link #isUnavailablePlaceholder(Object)} first)
     * @return the Drasi value; never null
     * @throws MappingException when the value does not match its schema
     */
    public ElementValue fromConnect(Schema schema, Object value) {
        return fromConnect(schema, value, null);
    }

    /**
     * Converts a Debezium (Kafka Connect) field value of a column whose type the catalog declared. Debezium names a
     * domain column's type by the domain's name only; the declared type resolves it to its base type, so domains
     * map as their base type on both paths.
     *
     * @param schema   the field's schema; never null
     * @param value    the field's value; null for SQL NULL (not the unchanged-TOAST placeholder)
     * @param declared the column's type from the catalog, or null to rely on the schema alone
     * @return the Drasi value; never null
     * @throws MappingException when the value does not match its schema
     */
    public ElementValue fromConnect(Schema schema, Object value, PgColumnType declared) {
        if (value == null) {
            return ElementValue.NULL;
        }
        try {
            String st = declared != null ? typeName(declared) : sourceType(schema);
            String name = schema.name();
            if (name != null) {
                ElementValue v = fromLogical(name, schema, value, st);
                if (v != null) {
                    return v;
                }
            }
            return fromPhysical(schema, value, st, declared);
        } catch (ClassCastException | IllegalArgumentException | ArithmeticException e) {
            throw new MappingException("cannot convert value of schema " + describe(schema) + ": " + e.getMessage(), e);
        }
    }

    private ElementValue fromLogical(String name, Schema schema, Object value, String st) {
        switch (name) {
            case org.apache.kafka.connect.data.Decimal.LOGICAL_NAME:
                return numeric((BigDecimal) value);
            case VariableScaleDecimal.LOGICAL_NAME:
                return numeric(VariableScaleDecimal.toLogical((Struct) value)
                        .getDecimalValue()
                        .orElseThrow(() -> new MappingException("variable-scale decimal without a value")));
            case io.debezium.time.Date.SCHEMA_NAME:
                return new StringValue(Temporals.date(((Number) value).longValue()));
            case io.debezium.time.Time.SCHEMA_NAME:
                return new StringValue(Temporals.timeOfDay(((Number) value).longValue() * 1000L, false));
            case io.debezium.time.MicroTime.SCHEMA_NAME:
                return new StringValue(Temporals.timeOfDay(((Number) value).longValue(), false));
            case io.debezium.time.NanoTime.SCHEMA_NAME:
                return new StringValue(Temporals.timeOfDay(((Number) value).longValue() / 1000L, false));
            case io.debezium.time.Timestamp.SCHEMA_NAME:
                return new StringValue(millisTimestamp(((Number) value).longValue()));
            case io.debezium.time.MicroTimestamp.SCHEMA_NAME:
                return new StringValue(Temporals.timestampMicros(((Number) value).longValue(), false));
            case io.debezium.time.NanoTimestamp.SCHEMA_NAME: {
                long nanos = ((Number) value).longValue();
                return new StringValue(Temporals.timestamp(
                        Math.floorDiv(nanos, 1_000_000_000L), (int) Math.floorMod(nanos, 1_000_000_000L), false));
            }
            case io.debezium.time.ZonedTimestamp.SCHEMA_NAME:
                return new StringValue(Temporals.parseTimestamp((String) value, true));
            case io.debezium.time.ZonedTime.SCHEMA_NAME:
                return new StringValue(Temporals.parseTimeTz((String) value));
            case io.debezium.time.IsoDate.SCHEMA_NAME:
                return new StringValue(Temporals.parseDate((String) value));
            case io.debezium.time.IsoTime.SCHEMA_NAME:
                return new StringValue(Temporals.parseTime((String) value));
            case io.debezium.time.IsoTimestamp.SCHEMA_NAME:
                return new StringValue(Temporals.parseTimestamp((String) value, false));
            case io.debezium.time.MicroDuration.SCHEMA_NAME:
                return new StringValue(Temporals.interval(0, 0, ((Number) value).longValue()));
            case io.debezium.time.NanoDuration.SCHEMA_NAME:
                return new StringValue(Temporals.interval(0, 0, ((Number) value).longValue() / 1000L));
            case io.debezium.time.Interval.SCHEMA_NAME:
                return new StringValue(Temporals.parseInterval((String) value));
            case org.apache.kafka.connect.data.Date.LOGICAL_NAME:
                return new StringValue(
                        Temporals.date(Math.floorDiv(((java.util.Date) value).getTime(), MILLIS_PER_DAY)));
            case org.apache.kafka.connect.data.Time.LOGICAL_NAME:
                return new StringValue(Temporals.timeOfDay(
                        Math.floorMod(((java.util.Date) value).getTime(), MILLIS_PER_DAY) * 1000L, false));
            case org.apache.kafka.connect.data.Timestamp.LOGICAL_NAME:
                return new StringValue(millisTimestamp(((java.util.Date) value).getTime()));
            case io.debezium.data.Uuid.LOGICAL_NAME:
                return new StringValue(((String) value).toLowerCase(Locale.ROOT));
            case io.debezium.data.Json.LOGICAL_NAME:
                return "hstore".equals(st)
                        ? sortKeys(ElementValueJson.parse((String) value))
                        : ElementValueJson.parse((String) value);
            case io.debezium.data.Bits.LOGICAL_NAME:
                return new StringValue(bits(schema, bytes(value), st));
            case io.debezium.data.geometry.Geometry.LOGICAL_NAME:
            case io.debezium.data.geometry.Geography.LOGICAL_NAME:
                return new StringValue(ewkbHex((Struct) value));
            case io.debezium.data.geometry.Point.LOGICAL_NAME: {
                Struct s = (Struct) value;
                return new StringValue(point(
                        s.getFloat64(io.debezium.data.geometry.Point.X_FIELD),
                        s.getFloat64(io.debezium.data.geometry.Point.Y_FIELD)));
            }
            case "io.debezium.time.Year":
                return new IntValue(((Number) value).longValue());
            case "io.debezium.data.Xml",
                    "io.debezium.data.Enum",
                    "io.debezium.data.EnumSet",
                    "io.debezium.data.TsVector",
                    "io.debezium.data.Ltree":
                return new StringValue(value.toString());
            default:
                return null; // not a logical type we know: use the physical type
        }
    }

    private ElementValue fromPhysical(Schema schema, Object value, String st, PgColumnType declared) {
        switch (schema.type()) {
            case INT8:
            case INT16:
            case INT32:
            case INT64:
                return new IntValue(((Number) value).longValue());
            case FLOAT32:
                return float4(((Number) value).floatValue());
            case FLOAT64:
                return float8(((Number) value).doubleValue());
            case BOOLEAN: {
                boolean b = (Boolean) value;
                if ("bit".equals(st) || "varbit".equals(st)) {
                    return new StringValue(b ? "1" : "0");
                }
                return ElementValue.of(b);
            }
            case STRING: {
                if (declared != null) {
                    return fromText(declared, (String) value); // a string Debezium left as the server's text
                }
                if (st != null && needsTextParsing(st)) {
                    return fromText(PgColumnType.of(st), (String) value);
                }
                return new StringValue((String) value);
            }
            case BYTES: {
                byte[] b = bytes(value);
                if (st == null || st.equals("bytea")) {
                    return new StringValue(Base64.getEncoder().encodeToString(b));
                }
                // include.unknown.datatypes: Debezium hands over PostgreSQL's text form as bytes
                return fromText(
                        declared != null ? declared : PgColumnType.of(st), new String(b, StandardCharsets.UTF_8));
            }
            case ARRAY: {
                PgColumnType elementType =
                        declared != null && declared.resolved().isArray()
                                ? declared.resolved().elementType()
                                : st != null && st.length() > 1 && st.charAt(0) == '_'
                                        ? PgColumnType.of(st.substring(1))
                                        : null;
                return connectList((List<?>) value, schema.valueSchema(), elementType);
            }
            case MAP: {
                Map<?, ?> map = (Map<?, ?>) value;
                Map<String, ElementValue> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.put(String.valueOf(e.getKey()), fromConnect(schema.valueSchema(), e.getValue()));
                }
                return new ObjectValue(out);
            }
            case STRUCT: {
                Struct s = (Struct) value;
                Map<String, ElementValue> out = new LinkedHashMap<>();
                for (Field f : schema.fields()) {
                    out.put(f.name(), fromConnect(f.schema(), s.get(f)));
                }
                return new ObjectValue(out);
            }
            default:
                throw new MappingException("unsupported Connect schema type " + schema.type());
        }
    }

    /**
     * A list Debezium built (without {@link PgTextConverter}): string elements of a known element type go through
     * that type's text mapping (Debezium leaves numerics, ranges... as text), nested arrays recurse.
     */
    private ElementValue connectList(List<?> list, Schema elementSchema, PgColumnType elementType) {
        List<ElementValue> out = new ArrayList<>(list.size());
        for (Object e : list) {
            if (e instanceof Object[] nested) {
                out.add(connectList(Arrays.asList(nested), elementSchema, elementType));
            } else if (e instanceof List<?> nested) {
                out.add(connectList(nested, elementSchema, elementType));
            } else if (e instanceof String text && elementType != null) {
                out.add(fromText(elementType, text));
            } else {
                out.add(fromConnect(elementSchema, e));
            }
        }
        return new ListValue(out);
    }

    private static boolean needsTextParsing(String sourceType) {
        if (sourceType.length() > 1 && sourceType.charAt(0) == '_') {
            return true; // an array literal from PgTextConverter
        }
        switch (sourceType) {
            case "numeric",
                    "decimal",
                    "money",
                    "tstzrange",
                    "tstzmultirange",
                    "hstore",
                    "varbit",
                    "bit",
                    "bit varying",
                    "uuid",
                    "point",
                    "box",
                    "circle",
                    "line",
                    "lseg",
                    "path",
                    "polygon",
                    "geometry",
                    "geography" -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    // =================================================================== bootstrap (text)

    /**
     * Converts one column value in PostgreSQL's text output format (as read with
     * {@link #REQUIRED_SESSION_SETTINGS}).
     *
     * @param type   the column's type; never null
     * @param pgText the text value; null for SQL NULL
     * @return the Drasi value; never null
     * @throws MappingException when the text is not a valid value of the type
     */
    public ElementValue fromText(PgColumnType type, String pgText) {
        if (pgText == null) {
            return ElementValue.NULL;
        }
        PgColumnType t = type.resolved();
        if (t.isEnum()) {
            return new StringValue(pgText);
        }
        if (t.isArray()) {
            PgColumnType element = t.elementType() != null
                    ? t.elementType()
                    : PgColumnType.of(
                            t.typeName().startsWith("_") ? t.typeName().substring(1) : "text");
            char delimiter = "box".equals(element.resolved().typeName()) ? ';' : ',';
            return textList(PgText.parseArray(pgText, delimiter), element);
        }
        try {
            switch (t.typeName()) {
                case "int2", "int4", "int8", "oid", "xid", "cid", "regclass", "regtype", "regproc":
                    if (t.typeName().startsWith("reg")) {
                        return new StringValue(pgText);
                    }
                    return new IntValue(Long.parseLong(pgText.strip()));
                case "float4":
                    return float4(Float.parseFloat(pgText));
                case "float8":
                    return float8(Double.parseDouble(pgText));
                case "numeric", "decimal":
                    return numericText(pgText.strip());
                case "money":
                    return numericText(moneyText(pgText));
                case "bool":
                    return ElementValue.of(parseBool(pgText));
                case "uuid":
                    return new StringValue(pgText.toLowerCase(Locale.ROOT));
                case "date":
                    return new StringValue(Temporals.parseDate(pgText));
                case "time":
                    return new StringValue(Temporals.parseTime(pgText));
                case "timetz":
                    return new StringValue(Temporals.parseTimeTz(pgText));
                case "timestamp":
                    return new StringValue(Temporals.parseTimestamp(pgText, false));
                case "timestamptz":
                    return new StringValue(Temporals.parseTimestamp(pgText, true));
                case "interval":
                    return new StringValue(Temporals.parseInterval(pgText));
                case "json", "jsonb":
                    return ElementValueJson.parse(pgText);
                case "bytea":
                    return new StringValue(PgText.byteaHexToBase64(pgText));
                case "bit":
                    return new StringValue(pgText);
                case "varbit", "bit varying":
                    return new StringValue(pgText);
                case "hstore": {
                    Map<String, ElementValue> out = new LinkedHashMap<>();
                    PgText.parseHstore(pgText)
                            .forEach((k, v) -> out.put(k, v == null ? ElementValue.NULL : new StringValue(v)));
                    return new ObjectValue(out);
                }
                case "point", "box", "circle", "line", "lseg", "path", "polygon":
                    return new StringValue(PgText.geometric(pgText));
                case "tstzrange":
                    return new StringValue(PgText.canonicalTstzRange(pgText));
                case "tstzmultirange":
                    return new StringValue(PgText.canonicalTstzMultirange(pgText));
                case "geometry", "geography":
                    return new StringValue(pgText.toUpperCase(Locale.ROOT));
                default:
                    return new StringValue(pgText);
            }
        } catch (NumberFormatException e) {
            throw new MappingException("invalid " + t.typeName() + " value '" + PgText.abbreviate(pgText) + "'", e);
        }
    }

    private ElementValue textList(List<Object> parsed, PgColumnType element) {
        List<ElementValue> out = new ArrayList<>(parsed.size());
        for (Object o : parsed) {
            if (o instanceof List<?> nested) {
                @SuppressWarnings("unchecked")
                List<Object> n = (List<Object>) nested;
                out.add(textList(n, element));
            } else {
                out.add(fromText(element, (String) o));
            }
        }
        return new ListValue(out);
    }

    // =================================================================== keys

    /**
     * The canonical text of a key value, used as an {@link io.drasi.source.postgres.model.ElementId}
     * component. Strings as is, integers in decimal, floats via {@link Double#toString(double)}, bools
     * {@code true}/{@code false}, lists/objects as compact JSON, NULL as null.
     *
     * @param value the value; never null
     * @return the canonical text; null only for {@link ElementValue#NULL}
     */
    public static String canonicalKey(ElementValue value) {
        if (value instanceof StringValue s) {
            return s.value();
        }
        if (value instanceof IntValue i) {
            return Long.toString(i.value());
        }
        if (value instanceof FloatValue f) {
            return Double.toString(f.value());
        }
        if (value instanceof BoolValue b) {
            return Boolean.toString(b.value());
        }
        if (value instanceof NullValue) {
            return null;
        }
        try (java.io.StringWriter w = new java.io.StringWriter();
                com.fasterxml.jackson.core.JsonGenerator g =
                        new com.fasterxml.jackson.core.JsonFactory().createGenerator(w)) {
            ElementValueJson.write(g, value);
            g.flush();
            return w.toString();
        } catch (java.io.IOException e) {
            throw new MappingException("cannot render key value " + value, e);
        }
    }

    /**
     * The canonical key component of a streamed key column value. Numerics are rendered exactly
     * (never through a float) so distinct keys never collide.
     *
     * @param schema the column's schema; never null
     * @param value  the value; null for SQL NULL
     * @return the canonical key text; null for SQL NULL
     */
    public String keyFromConnect(Schema schema, Object value) {
        return canonicalKey(EXACT.fromConnect(schema, value));
    }

    /**
     * The canonical key component of a bootstrap key column value; equals
     * {@link #keyFromConnect(Schema, Object)} for the same PostgreSQL value.
     *
     * @param type   the column's type; never null
     * @param pgText the text value; null for SQL NULL
     * @return the canonical key text; null for SQL NULL
     */
    public String keyFromText(PgColumnType type, String pgText) {
        return canonicalKey(EXACT.fromText(type, pgText));
    }

    /**
     * Whether a streamed value is Debezium's unchanged-TOAST placeholder (in any of its forms: string,
     * bytes, single-element text array, or the placeholder's bytes as an integer array).
     *
     * @param value a field value; may be null
     * @return true if it is the placeholder and must not be emitted
     */
    public static boolean isUnavailablePlaceholder(Object value) {
        if (value instanceof Number || value instanceof Boolean) {
            return false; // the common scalars first: called for every column of every change
        }
        if (value instanceof String s) {
            return s.length() == UNAVAILABLE_VALUE_PLACEHOLDER.length()
                    ? s.equals(UNAVAILABLE_VALUE_PLACEHOLDER)
                    : s.length() < 80
                            && s.length() > UNAVAILABLE_VALUE_PLACEHOLDER.length()
                            && s.contains(UNAVAILABLE_VALUE_PLACEHOLDER) // no copy of every short text value (hot path)
                            && s.replace(" ", "").equals(HSTORE_PLACEHOLDER_JSON);
        }
        if (value instanceof Map<?, ?> m) {
            return m.size() == 1 && UNAVAILABLE_VALUE_PLACEHOLDER.equals(m.get(UNAVAILABLE_VALUE_PLACEHOLDER));
        }
        if (value instanceof byte[] || value instanceof ByteBuffer) {
            return Arrays.equals(bytes(value), PLACEHOLDER_BYTES);
        }
        if (value instanceof List<?> list && !list.isEmpty()) {
            if (list.size() == 1 && UNAVAILABLE_VALUE_PLACEHOLDER.equals(list.get(0))) {
                return true;
            }
            if (list.size() == PLACEHOLDER_BYTES.length && list.get(0) instanceof Number) {
                for (int i = 0; i < PLACEHOLDER_BYTES.length; i++) {
                    if (!(list.get(i) instanceof Number n) || n.longValue() != PLACEHOLDER_BYTES[i]) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    // =================================================================== helpers

    private ElementValue numeric(BigDecimal d) {
        if (numericMode == NumericMode.EXACT_STRING) {
            return new StringValue(exact(d));
        }
        double v = d.doubleValue();
        return Double.isFinite(v) ? new FloatValue(v) : new StringValue(exact(d));
    }

    private ElementValue numericText(String text) {
        switch (text) {
            case "NaN", "NAN":
                return NAN;
            case "Infinity", "POSITIVE_INFINITY":
                return POS_INF;
            case "-Infinity", "NEGATIVE_INFINITY":
                return NEG_INF;
            default:
                return numeric(new BigDecimal(text));
        }
    }

    private static String exact(BigDecimal d) {
        if (d.signum() == 0) {
            return "0";
        }
        return d.stripTrailingZeros().toPlainString();
    }

    private static String moneyText(String text) {
        String t = text.strip();
        boolean negative = t.startsWith("-") || (t.startsWith("(") && t.endsWith(")"));
        StringBuilder sb = new StringBuilder(t.length());
        if (negative) {
            sb.append('-');
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if ((c >= '0' && c <= '9') || c == '.') {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static ElementValue float4(float f) {
        if (Float.isNaN(f)) {
            return NAN;
        }
        if (Float.isInfinite(f)) {
            return f > 0 ? POS_INF : NEG_INF;
        }
        return new FloatValue(Double.parseDouble(Float.toString(f)));
    }

    private static ElementValue float8(double d) {
        if (Double.isNaN(d)) {
            return NAN;
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? POS_INF : NEG_INF;
        }
        return new FloatValue(d);
    }

    private static boolean parseBool(String text) {
        switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "t", "true", "y", "yes", "on", "1":
                return true;
            case "f", "false", "n", "no", "off", "0":
                return false;
            default:
                throw new MappingException("invalid bool value '" + text + "'");
        }
    }

    private static String millisTimestamp(long millis) {
        if (millis == Temporals.POS_INF_MICROS / 1000) {
            return Temporals.INFINITY;
        }
        if (millis == Temporals.NEG_INF_MICROS / 1000) {
            return Temporals.NEG_INFINITY;
        }
        return Temporals.timestampMicros(Math.multiplyExact(millis, 1000L), false);
    }

    private static String sourceType(Schema schema) {
        Map<String, String> params = schema.parameters();
        if (params == null) {
            return null;
        }
        String t = params.get(SOURCE_TYPE_PARAMETER);
        if (t == null) {
            return null;
        }
        String lower = LOWER_CASE_TYPES.get(t);
        if (lower == null) {
            lower = t.toLowerCase(Locale.ROOT);
            LOWER_CASE_TYPES.putIfAbsent(t, lower);
        }
        return lower;
    }

    /** @return the bytes of a Connect BYTES value ({@code byte[]} or {@code ByteBuffer}, not consumed) */
    static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        ByteBuffer buf = ((ByteBuffer) value).duplicate();
        byte[] b = new byte[buf.remaining()];
        buf.get(b);
        return b;
    }

    /**
     * Debezium's bytes of a bit string (only without {@link PgTextConverter}): {@code bit(n)} has its length; a
     * {@code varbit}'s leading zeros are lost (its schema length is the type's maximum, which bounds nothing).
     */
    private static String bits(Schema schema, byte[] littleEndian, String st) {
        String lengthParam =
                schema.parameters() == null ? null : schema.parameters().get(Bits.LENGTH_FIELD);
        long declared = lengthParam == null ? Long.MAX_VALUE : Long.parseLong(lengthParam);
        int n = (int) Math.min(declared, littleEndian.length * 8L); // bounded by the data, never by the type
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int k = n - 1 - i;
            boolean set = k / 8 < littleEndian.length && ((littleEndian[k / 8] >> (k % 8)) & 1) != 0;
            sb.append(set ? '1' : '0');
        }
        String s = sb.toString();
        return "varbit".equals(st) || lengthParam == null ? stripLeadingZeros(s) : s;
    }

    private static String stripLeadingZeros(String bits) {
        int i = 0;
        while (i < bits.length() - 1 && bits.charAt(i) == '0') {
            i++;
        }
        return bits.substring(i);
    }

    /** Rebuilds PostGIS's hex EWKB text form from Debezium's (wkb, srid). */
    private static String ewkbHex(Struct geometry) {
        byte[] wkb = geometry.getBytes(io.debezium.data.geometry.Geometry.WKB_FIELD);
        Integer srid = geometry.getInt32(io.debezium.data.geometry.Geometry.SRID_FIELD);
        byte[] out = wkb;
        if (srid != null && wkb.length >= 5) {
            ByteBuffer in = ByteBuffer.wrap(wkb);
            boolean little = wkb[0] == 1;
            in.order(little ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
            int type = in.getInt(1);
            if ((type & 0x20000000) == 0) {
                ByteBuffer b = ByteBuffer.allocate(wkb.length + 4).order(in.order());
                b.put(wkb[0]);
                b.putInt(type | 0x20000000);
                b.putInt(srid);
                b.put(wkb, 5, wkb.length - 5);
                out = b.array();
            }
        }
        StringBuilder sb = new StringBuilder(out.length * 2);
        for (byte x : out) {
            sb.append(Character.toUpperCase(Character.forDigit((x >> 4) & 0xF, 16)));
            sb.append(Character.toUpperCase(Character.forDigit(x & 0xF, 16)));
        }
        return sb.toString();
    }

    private static String point(double x, double y) {
        return "(" + PgText.float8(x) + "," + PgText.float8(y) + ")";
    }

    private static ElementValue sortKeys(ElementValue v) {
        if (v instanceof ObjectValue o) {
            return new ObjectValue(new TreeMap<>(o.values()));
        }
        return v;
    }

    private static String typeName(Schema schema) {
        String st = sourceType(schema);
        return st != null ? st : describe(schema);
    }

    /** The name the value table dispatches on: a domain's base type; {@code _element} for arrays. */
    private static String typeName(PgColumnType declared) {
        PgColumnType r = declared.resolved();
        if (r.isArray() && r.elementType() != null) {
            return "_" + r.elementType().resolved().typeName();
        }
        return r.typeName();
    }

    private static String describe(Schema schema) {
        return schema.name() != null ? schema.name() : String.valueOf(schema.type());
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}

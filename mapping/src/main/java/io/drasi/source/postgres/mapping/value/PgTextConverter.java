package io.drasi.source.postgres.mapping.value;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * A Debezium {@link CustomConverter} that hands over PostgreSQL's text form for the column types whose Debezium
 * conversion loses information, so that {@link PgValueConverter#fromConnect} can apply the same value table to it as
 * the bootstrap does to the text it reads:
 * <ul>
 *   <li>{@code bit}, {@code varbit}: Debezium turns them into bytes, losing leading zeros and (for {@code varbit}
 *       without a length) allocating from a bogus length;</li>
 *   <li>arrays: Debezium renders numeric elements as strings, time-zoned elements in the JVM's zone, drops the columns
 *       of arrays whose element type it does not know, and breaks on multi-dimensional arrays; the array literal the
 *       server sent is delivered instead and parsed element by element with the element type's mapping;</li>
 *   <li>{@code box}, {@code circle}, {@code line}, {@code lseg}, {@code path}, {@code polygon}: Debezium
 *       re-renders them with Java's number formatting (or as WKB); the text is delivered and its numbers rendered as
 *       PostgreSQL renders them.</li>
 * </ul>
 * The field's schema is an optional string carrying {@link PgValueConverter#SOURCE_TYPE_PARAMETER}.
 *
 * <p>Use: Debezium connector properties {@code converters=drasi} and {@code drasi.type=} this class (the adapter sets
 * both, see {@link PgValueConverter#REQUIRED_DEBEZIUM_PROPERTIES}; Kafka Connect and Debezium Server users add them
 * to the connector, with this jar on the connector's class path).
 *
 * <p>Thread-safety: stateless after {@link #configure}; Debezium may call it from several threads.
 */
public final class PgTextConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /** The converter's name in Debezium's {@code converters} property. */
    public static final String NAME = "drasi";

    /**
     * Type oids of the claimed scalar types (bit, varbit, box, circle, line, lseg, path, polygon): Debezium reports a
     * domain column's base type here while {@code typeName} is the domain's name.
     */
    private static final java.util.Set<Integer> CLAIMED_OIDS =
            java.util.Set.of(1560, 1562, 603, 718, 628, 601, 602, 604);

    /** Creates the converter (Debezium instantiates it reflectively). */
    public PgTextConverter() {}

    @Override
    public void configure(Properties props) {
        // no options
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String type = column.typeName() == null ? "" : column.typeName().toLowerCase(Locale.ROOT);
        if (!claims(type) && !CLAIMED_OIDS.contains(column.nativeType())) {
            return;
        }
        SchemaBuilder schema = SchemaBuilder.string()
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, type.toUpperCase(Locale.ROOT));
        registration.register(schema, PgTextConverter::text);
    }

    /**
     * @param type a column type name as Debezium reports it (lower case), e.g. {@code _int4}, {@code varbit}
     * @return true when this converter delivers the column's text form
     */
    static boolean claims(String type) {
        if (type.length() > 1 && type.charAt(0) == '_') {
            return true;
        }
        switch (type) {
            case "bit", "varbit", "bit varying", "box", "circle", "line", "lseg", "path", "polygon" -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * Strings as they are; pgjdbc's {@code PgArray} and {@code PGobject}s render their text in {@code toString()}.
     * Debezium's unchanged-TOAST markers (bare {@code Object} instances) become its placeholder text, which the
     * mapping recognises and never emits.
     */
    private static Object text(Object raw) {
        if (raw == null) {
            return null;
        }
        if (raw.getClass() == Object.class) {
            return PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER;
        }
        return raw.toString();
    }
}

package io.drasi.source.postgres.mapping;

import io.debezium.data.Bits;
import io.debezium.data.Json;
import io.debezium.data.Uuid;
import io.debezium.data.VariableScaleDecimal;
import io.debezium.data.Xml;
import io.debezium.data.geometry.Geometry;
import io.debezium.data.geometry.Point;
import io.debezium.time.Interval;
import io.debezium.time.MicroTime;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.ZonedTime;
import io.debezium.time.ZonedTimestamp;
import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Every row of the value table, as the same PostgreSQL value in both representations: what Debezium
 * (with {@link PgValueConverter#REQUIRED_DEBEZIUM_PROPERTIES}) puts in a Connect struct, and what
 * PostgreSQL prints in a session with {@link PgValueConverter#REQUIRED_SESSION_SETTINGS}.
 */
public final class ValueTableFixture {

    /** One column: name, Connect schema + value, catalog type + text output. */
    public record Column(String name, Schema schema, Object connectValue, PgColumnType type, String pgText) {}

    private ValueTableFixture() {}

    static SchemaBuilder typed(SchemaBuilder b, String pgType) {
        return b.optional().parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, pgType);
    }

    static Schema s(SchemaBuilder b, String pgType) {
        return typed(b, pgType).build();
    }

    static long micros(LocalDateTime t) {
        return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000;
    }

    /** Debezium's bit string → BitSet → bytes conversion (PostgresValueConverter#convertBits). */
    static byte[] debeziumBits(Schema schema, String bits) {
        BitSet set = new BitSet(bits.length());
        for (int i = bits.length() - 1; i >= 0; i--) {
            if (bits.charAt(i) == '1') {
                set.set(bits.length() - i - 1);
            }
        }
        return Bits.fromBitSet(schema, set);
    }

    static Struct vsd(String decimal) {
        return vsd(VariableScaleDecimal.optionalSchema(), decimal);
    }

    static Struct vsd(Schema schema, String decimal) {
        BigDecimal d = new BigDecimal(decimal).stripTrailingZeros();
        return VariableScaleDecimal.fromLogical(schema, d);
    }

    static byte[] pointWkbLittleEndian(double x, double y) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(21).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 1).putInt(1).putDouble(x).putDouble(y);
        return b.array();
    }

    /** @return all columns; the first is the primary key {@code id} */
    public static List<Column> columns() {
        List<Column> c = new ArrayList<>();
        c.add(new Column("id", s(SchemaBuilder.int32(), "int4"), 1, PgColumnType.of("int4"), "1"));
        c.add(new Column("c_int2", s(SchemaBuilder.int16(), "int2"), (short) -7, PgColumnType.of("int2"), "-7"));
        c.add(new Column(
                "c_int8",
                s(SchemaBuilder.int64(), "int8"),
                9007199254740993L,
                PgColumnType.of("int8"),
                "9007199254740993"));
        c.add(new Column("c_oid", s(SchemaBuilder.int64(), "oid"), 4294967295L, PgColumnType.of("oid"), "4294967295"));
        c.add(new Column("c_float4", s(SchemaBuilder.float32(), "float4"), 1.1f, PgColumnType.of("float4"), "1.1"));
        c.add(new Column(
                "c_float8",
                s(SchemaBuilder.float64(), "float8"),
                3.141592653589793,
                PgColumnType.of("float8"),
                "3.141592653589793"));
        c.add(new Column(
                "c_float8_nan", s(SchemaBuilder.float64(), "float8"), Double.NaN, PgColumnType.of("float8"), "NaN"));
        c.add(new Column(
                "c_float8_pinf",
                s(SchemaBuilder.float64(), "float8"),
                Double.POSITIVE_INFINITY,
                PgColumnType.of("float8"),
                "Infinity"));
        c.add(new Column(
                "c_float4_ninf",
                s(SchemaBuilder.float32(), "float4"),
                Float.NEGATIVE_INFINITY,
                PgColumnType.of("float4"),
                "-Infinity"));
        Schema numeric = s(VariableScaleDecimal.builder(), "numeric");
        c.add(new Column("c_numeric", numeric, vsd(numeric, "12345.678"), PgColumnType.of("numeric"), "12345.678"));
        c.add(new Column(
                "c_numeric_fixed",
                s(Decimal.builder(2), "numeric"),
                new BigDecimal("19.90"),
                PgColumnType.of("numeric"),
                "19.90"));
        c.add(new Column(
                "c_money",
                s(Decimal.builder(2), "money"),
                new BigDecimal("-1234.56"),
                PgColumnType.of("money"),
                "-$1,234.56"));
        c.add(new Column("c_bool", s(SchemaBuilder.bool(), "bool"), true, PgColumnType.of("bool"), "t"));
        c.add(new Column(
                "c_text",
                s(SchemaBuilder.string(), "text"),
                "héllo: wörld 100% ✓",
                PgColumnType.of("text"),
                "héllo: wörld 100% ✓"));
        c.add(new Column("c_varchar", s(SchemaBuilder.string(), "VARCHAR"), "abc", PgColumnType.of("varchar"), "abc"));
        c.add(new Column("c_bpchar", s(SchemaBuilder.string(), "bpchar"), "ab   ", PgColumnType.of("bpchar"), "ab   "));
        c.add(new Column("c_name", s(SchemaBuilder.string(), "name"), "pg_name", PgColumnType.of("name"), "pg_name"));
        c.add(new Column("c_citext", s(SchemaBuilder.string(), "citext"), "MiXeD", PgColumnType.of("citext"), "MiXeD"));
        c.add(new Column(
                "c_enum",
                s(io.debezium.data.Enum.builder("happy,sad"), "mood"),
                "happy",
                PgColumnType.enumType("mood"),
                "happy"));
        c.add(new Column(
                "c_uuid",
                s(Uuid.builder(), "uuid"),
                "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                PgColumnType.of("uuid"),
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        c.add(new Column(
                "c_date",
                s(io.debezium.time.Date.builder(), "date"),
                (int) LocalDate.of(2024, 1, 1).toEpochDay(),
                PgColumnType.of("date"),
                "2024-01-01"));
        c.add(new Column(
                "c_date_bc",
                s(io.debezium.time.Date.builder(), "date"),
                (int) LocalDate.of(-43, 3, 15).toEpochDay(),
                PgColumnType.of("date"),
                "0044-03-15 BC"));
        c.add(new Column(
                "c_date_inf",
                s(io.debezium.time.Date.builder(), "date"),
                (int) LocalDate.parse("-5877611-06-21").toEpochDay(),
                PgColumnType.of("date"),
                "infinity"));
        c.add(new Column(
                "c_time", s(MicroTime.builder(), "time"), 36_000_123_456L, PgColumnType.of("time"), "10:00:00.123456"));
        c.add(new Column(
                "c_time_24", s(MicroTime.builder(), "time"), 86_400_000_000L, PgColumnType.of("time"), "24:00:00"));
        c.add(new Column(
                "c_time_ms",
                s(io.debezium.time.Time.builder(), "time"),
                45_296_789,
                PgColumnType.of("time"),
                "12:34:56.789"));
        c.add(new Column(
                "c_timetz",
                s(ZonedTime.builder(), "timetz"),
                "04:30:00Z",
                PgColumnType.of("timetz"),
                "10:00:00+05:30"));
        c.add(new Column(
                "c_timestamp",
                s(MicroTimestamp.builder(), "timestamp"),
                micros(LocalDateTime.of(2024, 1, 1, 10, 0, 0, 500_000_000)),
                PgColumnType.of("timestamp"),
                "2024-01-01 10:00:00.5"));
        c.add(new Column(
                "c_timestamp_ms",
                s(io.debezium.time.Timestamp.builder(), "timestamp"),
                LocalDateTime.of(2024, 2, 29, 23, 59, 59, 999_000_000)
                        .toInstant(ZoneOffset.UTC)
                        .toEpochMilli(),
                PgColumnType.of("timestamp"),
                "2024-02-29 23:59:59.999"));
        c.add(new Column(
                "c_timestamp_inf",
                s(MicroTimestamp.builder(), "timestamp"),
                9223372036825200000L,
                PgColumnType.of("timestamp"),
                "infinity"));
        c.add(new Column(
                "c_timestamptz_utc",
                s(ZonedTimestamp.builder(), "timestamptz"),
                "2024-01-01T10:00:00Z",
                PgColumnType.of("timestamptz"),
                "2024-01-01 10:00:00+00"));
        c.add(new Column(
                "c_timestamptz_ist",
                s(ZonedTimestamp.builder(), "timestamptz"),
                "2024-01-01T04:30:00.000000Z",
                PgColumnType.of("timestamptz"),
                "2024-01-01 10:00:00+05:30"));
        c.add(new Column(
                "c_timestamptz_frac",
                s(ZonedTimestamp.builder(), "timestamptz"),
                "2024-06-30T23:59:59.12Z",
                PgColumnType.of("timestamptz"),
                "2024-06-30 23:59:59.12+00"));
        c.add(new Column(
                "c_timestamptz_inf",
                s(ZonedTimestamp.builder(), "timestamptz"),
                "-infinity",
                PgColumnType.of("timestamptz"),
                "-infinity"));
        c.add(new Column(
                "c_interval",
                s(Interval.builder(), "interval"),
                "P1Y2M3DT4H5M6.5S",
                PgColumnType.of("interval"),
                "P1Y2M3DT4H5M6.5S"));
        c.add(new Column(
                "c_interval_neg",
                s(Interval.builder(), "interval"),
                "P-1Y-2M3DT-4H-5M-6.25S",
                PgColumnType.of("interval"),
                "P-1Y-2M3DT-4H-5M-6.25S"));
        c.add(new Column(
                "c_interval_zero",
                s(Interval.builder(), "interval"),
                "P0Y0M0DT0H0M0S",
                PgColumnType.of("interval"),
                "PT0S"));
        c.add(new Column(
                "c_interval_days",
                s(Interval.builder(), "interval"),
                "P0Y0M10DT27H0M0.000001S",
                PgColumnType.of("interval"),
                "P10DT27H0.000001S"));
        c.add(new Column(
                "c_json",
                s(Json.builder(), "json"),
                "{\"a\": [1, 2.5, \"x\", null, true], \"b\": {\"c\": 9223372036854775807}}",
                PgColumnType.of("json"),
                "{\"a\": [1, 2.5, \"x\", null, true], \"b\": {\"c\": 9223372036854775807}}"));
        c.add(new Column(
                "c_jsonb",
                s(Json.builder(), "jsonb"),
                "[{\"k\": \"v\"}, 1e400, 3]",
                PgColumnType.of("jsonb"),
                "[{\"k\": \"v\"}, 1e400, 3]"));
        c.add(new Column(
                "c_hstore",
                s(Json.builder(), "hstore"),
                "{\"b\":\"2\",\"a\":null,\"c d\":\"x=>y\"}",
                PgColumnType.of("hstore"),
                "\"a\"=>NULL, \"b\"=>\"2\", \"c d\"=>\"x=>y\""));
        c.add(new Column(
                "c_bytea",
                s(SchemaBuilder.bytes(), "bytea"),
                new byte[] {0, 1, 2, (byte) 0xff},
                PgColumnType.of("bytea"),
                "\\x000102ff"));
        c.add(new Column(
                "c_int_array",
                s(SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA), "_int4"),
                Arrays.asList(1, 2, null),
                PgColumnType.of("_int4"),
                "{1,2,NULL}"));
        c.add(new Column(
                "c_text_array",
                s(SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA), "_text"),
                Arrays.asList("a,b", "NULL", null, "q\"uote\\", ""),
                PgColumnType.of("_text"),
                "{\"a,b\",\"NULL\",NULL,\"q\\\"uote\\\\\",\"\"}"));
        c.add(new Column(
                "c_tstz_array",
                s(SchemaBuilder.array(ZonedTimestamp.builder().optional().build()), "_timestamptz"),
                List.of("2024-01-01T10:00:00Z", "2024-01-01T04:30:00.25Z"),
                PgColumnType.of("_timestamptz"),
                "{\"2024-01-01 10:00:00+00\",\"2024-01-01 10:00:00.25+05:30\"}"));
        c.add(new Column(
                "c_numeric_array",
                s(SchemaBuilder.array(VariableScaleDecimal.optionalSchema()), "_numeric"),
                List.of(vsd("1.50"), vsd("-2")),
                PgColumnType.of("_numeric"),
                "{1.50,-2}"));
        c.add(new Column(
                "c_inet",
                s(SchemaBuilder.string(), "inet"),
                "192.168.0.1/24",
                PgColumnType.of("inet"),
                "192.168.0.1/24"));
        c.add(new Column(
                "c_cidr", s(SchemaBuilder.string(), "cidr"), "10.0.0.0/8", PgColumnType.of("cidr"), "10.0.0.0/8"));
        c.add(new Column(
                "c_macaddr",
                s(SchemaBuilder.string(), "macaddr"),
                "08:00:2b:01:02:03",
                PgColumnType.of("macaddr"),
                "08:00:2b:01:02:03"));
        Schema bit8 = s(Bits.builder(8), "bit");
        c.add(new Column("c_bit", bit8, debeziumBits(bit8, "00100001"), PgColumnType.of("bit"), "00100001"));
        c.add(new Column("c_bit1", s(SchemaBuilder.bool(), "BIT"), true, PgColumnType.of("bit"), "1"));
        Schema varbit = s(Bits.builder(16), "varbit");
        c.add(new Column("c_varbit", varbit, debeziumBits(varbit, "101"), PgColumnType.of("varbit"), "101"));
        c.add(new Column("c_xml", s(Xml.builder(), "xml"), "<a>1</a>", PgColumnType.of("xml"), "<a>1</a>"));
        c.add(new Column(
                "c_tsrange",
                s(SchemaBuilder.string(), "tsrange"),
                "[\"2024-01-01 10:00:00\",\"2024-01-02 00:00:00\")",
                PgColumnType.of("tsrange"),
                "[\"2024-01-01 10:00:00\",\"2024-01-02 00:00:00\")"));
        c.add(new Column(
                "c_tstzrange",
                s(SchemaBuilder.string(), "tstzrange"),
                "[\"2024-01-01 10:00:00+05:30\",)",
                PgColumnType.of("tstzrange"),
                "[\"2024-01-01 04:30:00+00\",)"));
        c.add(new Column(
                "c_int4range",
                s(SchemaBuilder.string(), "int4range"),
                "[1,10)",
                PgColumnType.of("int4range"),
                "[1,10)"));
        Schema point = s(Point.builder(), "point");
        c.add(new Column("c_point", point, Point.createValue(point, 1.5, -2), PgColumnType.of("point"), "(1.5,-2)"));
        Schema geom = s(Geometry.builder(), "geometry");
        c.add(new Column(
                "c_geometry",
                geom,
                Geometry.createValue(geom, pointWkbLittleEndian(1, 2), 4326),
                PgColumnType.of("geometry"),
                "0101000020E6100000000000000000F03F0000000000000040"));
        c.add(new Column(
                "c_domain",
                s(SchemaBuilder.int32(), "posint"),
                42,
                PgColumnType.domainOf("posint", PgColumnType.of("int4")),
                "42"));
        c.add(new Column(
                "c_unknown",
                s(SchemaBuilder.bytes(), "mycomposite"),
                "(1,\"x y\")".getBytes(StandardCharsets.UTF_8),
                new PgColumnType("mycomposite", 'C', null, null, false),
                "(1,\"x y\")"));
        c.add(new Column("c_null", s(SchemaBuilder.string(), "text"), null, PgColumnType.of("text"), null));
        return c;
    }

    /** @return the row schema of a table holding every column */
    public static Schema rowSchema() {
        SchemaBuilder b = DebeziumFixtures.rowBuilder("public", "all_types");
        for (Column c : columns()) {
            b.field(c.name(), c.schema());
        }
        return b.build();
    }
}

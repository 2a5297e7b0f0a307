package io.drasi.source.postgres.mapping.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.data.Json;
import io.debezium.data.geometry.Geography;
import io.debezium.time.IsoDate;
import io.debezium.time.IsoTime;
import io.debezium.time.IsoTimestamp;
import io.debezium.time.MicroDuration;
import io.debezium.time.NanoDuration;
import io.debezium.time.NanoTime;
import io.debezium.time.NanoTimestamp;
import io.drasi.source.postgres.mapping.MappingException;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.ElementValue.FloatValue;
import io.drasi.source.postgres.model.ElementValue.ListValue;
import io.drasi.source.postgres.model.ElementValue.ObjectValue;
import io.drasi.source.postgres.model.ElementValue.StringValue;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PgValueConverterTest {

    private final PgValueConverter c = PgValueConverter.DEFAULT;
    private final PgValueConverter exact = new PgValueConverter(PgValueConverter.NumericMode.EXACT_STRING);

    private static StringValue s(String v) {
        return new StringValue(v);
    }

    @Test
    void requiredProperties_containTheModesTheConverterRelieson() {
        assertThat(PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES)
                .containsEntry("decimal.handling.mode", "string")
                .containsEntry("interval.handling.mode", "string")
                .containsEntry("binary.handling.mode", "bytes")
                .containsEntry("hstore.handling.mode", "json")
                .containsEntry("include.unknown.datatypes", "true")
                .containsEntry("column.propagate.source.type", ".*");
        assertThat(PgValueConverter.REQUIRED_SESSION_SETTINGS)
                .containsEntry("TimeZone", "UTC")
                .containsEntry("IntervalStyle", "iso_8601");
        assertThat(c.numericMode()).isEqualTo(PgValueConverter.NumericMode.FLOAT);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "timestamptz|2024-01-01 10:00:00+05:30|2024-01-01T04:30:00Z",
                "timestamptz|2024-01-01 00:00:00-03:30:15|2024-01-01T03:30:15Z",
                "timestamptz|2024-01-01 00:00:00.000001+0100|2023-12-31T23:00:00.000001Z",
                "timestamptz|0044-03-15 10:00:00+00 BC|-0043-03-15T10:00:00Z",
                "timestamptz|12345-01-01 00:00:00+00|+12345-01-01T00:00:00Z",
                "timestamptz|infinity|infinity",
                "timestamp|2024-01-01T10:00:00|2024-01-01T10:00:00",
                "timestamp|1969-12-31 23:59:59.999999|1969-12-31T23:59:59.999999",
                "timestamp|-infinity|-infinity",
                "date|2024-02-29|2024-02-29",
                "date|-infinity|-infinity",
                "time|00:00:00|00:00:00",
                "timetz|24:00:00+00|24:00:00Z",
                "timetz|00:30:00+01|23:30:00Z",
                "timetz|23:30:00-01|00:30:00Z",
                "interval|P1W|P7D",
                "interval|PT-0.5S|PT-0.5S",
                "interval|P14M|P1Y2M",
                "interval|PT90M|PT1H30M",
                "interval|P-1Y+2M|P-10M",
                "interval|infinity|infinity",
                "interval|-infinity|-infinity"
            })
    void fromText_temporalEdgeCases_canonical(String type, String text, String expected) {
        assertThat(c.fromText(PgColumnType.of(type), text)).isEqualTo(s(expected));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "date|2024-13-01",
                "date|24-01-01",
                "date|2024-01-01x",
                "time|25:00:00",
                "time|24:00:01",
                "time|10:00",
                "time|10:00:00.",
                "timetz|10:00:00",
                "timetz|10:00:00*01",
                "timestamp|2024-01-01",
                "timestamp|2024-01-01X10:00:00",
                "interval|1 day",
                "interval|P1X",
                "interval|PT1D",
                "interval|P1",
                "interval|PT1.5.5S"
            })
    void fromText_malformedTemporal_mappingException(String type, String text) {
        assertThatThrownBy(() -> c.fromText(PgColumnType.of(type), text))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining(text);
    }

    @Test
    void fromConnect_otherTemporalLogicalTypes_canonical() {
        assertThat(c.fromConnect(NanoTime.schema(), 36_000_123_456_789L)).isEqualTo(s("10:00:00.123456"));
        assertThat(c.fromConnect(NanoTimestamp.schema(), -1L)).isEqualTo(s("1969-12-31T23:59:59.999999999"));
        assertThat(c.fromConnect(MicroDuration.schema(), 90_061_500_000L)).isEqualTo(s("PT25H1M1.5S"));
        assertThat(c.fromConnect(NanoDuration.schema(), 1_000L)).isEqualTo(s("PT0.000001S"));
        assertThat(c.fromConnect(Date.SCHEMA, new java.util.Date(86_400_000L))).isEqualTo(s("1970-01-02"));
        assertThat(c.fromConnect(Time.SCHEMA, new java.util.Date(3_600_500L))).isEqualTo(s("01:00:00.5"));
        assertThat(c.fromConnect(Timestamp.SCHEMA, new java.util.Date(-1L))).isEqualTo(s("1969-12-31T23:59:59.999"));
        assertThat(c.fromConnect(io.debezium.time.Timestamp.schema(), 9223372036825200L))
                .isEqualTo(s("infinity"));
        assertThat(c.fromConnect(io.debezium.time.Timestamp.schema(), -9223372036832400L))
                .isEqualTo(s("-infinity"));
        assertThat(c.fromConnect(io.debezium.time.MicroTimestamp.schema(), -9223372036832400000L))
                .isEqualTo(s("-infinity"));
        assertThat(c.fromConnect(io.debezium.time.Date.schema(), (int)
                        java.time.LocalDate.parse("-5877611-06-22").toEpochDay()))
                .isEqualTo(s("-infinity"));
        assertThat(c.fromConnect(IsoDate.schema(), "2024-01-01")).isEqualTo(s("2024-01-01"));
        assertThat(c.fromConnect(IsoTime.schema(), "10:00:00.100")).isEqualTo(s("10:00:00.1"));
        assertThat(c.fromConnect(IsoTimestamp.schema(), "2024-01-01T10:00:00.000Z"))
                .isEqualTo(s("2024-01-01T10:00:00"));
        assertThat(c.fromConnect(io.debezium.time.ZonedTimestamp.schema(), "2024-01-01T10:00:00+05:30"))
                .isEqualTo(s("2024-01-01T04:30:00Z"));
        assertThat(c.fromConnect(io.debezium.time.Year.schema(), 2024)).isEqualTo(ElementValue.of(2024));
    }

    @Test
    void numeric_specialAndHugeValues_stringsOrExact() {
        assertThat(c.fromText(PgColumnType.of("numeric"), "NaN")).isEqualTo(s("NaN"));
        assertThat(c.fromText(PgColumnType.of("numeric"), "-Infinity")).isEqualTo(s("-Infinity"));
        assertThat(c.fromText(PgColumnType.of("numeric"), "Infinity")).isEqualTo(s("Infinity"));
        assertThat(c.fromText(PgColumnType.of("numeric"), "1e400")).isEqualTo(s("1" + "0".repeat(400)));
        assertThat(exact.fromText(PgColumnType.of("numeric"), "0.000")).isEqualTo(s("0"));
        assertThat(exact.fromText(PgColumnType.of("numeric"), "100")).isEqualTo(s("100"));
        assertThat(exact.fromText(PgColumnType.of("numeric"), "0.0000001")).isEqualTo(s("0.0000001"));
        assertThat(c.fromText(PgColumnType.of("money"), "($5.00)")).isEqualTo(new FloatValue(-5.0));
        // decimal.handling.mode=string + column.propagate.source.type: numeric arrives as STRING
        Schema stringNumeric = SchemaBuilder.string()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "NUMERIC")
                .build();
        assertThat(c.fromConnect(stringNumeric, "1.50")).isEqualTo(new FloatValue(1.5));
        assertThat(c.fromConnect(stringNumeric, "NAN")).isEqualTo(s("NaN"));
        assertThat(c.fromConnect(stringNumeric, "POSITIVE_INFINITY")).isEqualTo(s("Infinity"));
        assertThat(c.fromConnect(stringNumeric, "NEGATIVE_INFINITY")).isEqualTo(s("-Infinity"));
        assertThat(exact.fromConnect(Decimal.schema(3), new BigDecimal("1.500")))
                .isEqualTo(s("1.5"));
        assertThatThrownBy(() -> c.fromText(PgColumnType.of("numeric"), "abc")).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> c.fromText(PgColumnType.of("int4"), "1.5")).isInstanceOf(MappingException.class);
    }

    @Test
    void fromText_scalarsAndOthers_values() {
        assertThat(c.fromText(PgColumnType.of("bool"), "f")).isEqualTo(ElementValue.FALSE);
        assertThat(c.fromText(PgColumnType.of("bool"), "yes")).isEqualTo(ElementValue.TRUE);
        assertThatThrownBy(() -> c.fromText(PgColumnType.of("bool"), "maybe")).isInstanceOf(MappingException.class);
        assertThat(c.fromText(PgColumnType.of("float8"), "1e-05")).isEqualTo(new FloatValue(1e-5));
        assertThat(c.fromText(PgColumnType.of("float4"), "NaN")).isEqualTo(s("NaN"));
        assertThat(c.fromText(PgColumnType.of("float4"), "Infinity")).isEqualTo(s("Infinity"));
        assertThat(c.fromText(PgColumnType.of("float8"), "-Infinity")).isEqualTo(s("-Infinity"));
        assertThat(c.fromText(PgColumnType.of("regclass"), "public.users")).isEqualTo(s("public.users"));
        assertThat(c.fromText(PgColumnType.of("varbit"), "000")).isEqualTo(s("000")); // the text form, zeros kept
        assertThat(c.fromText(PgColumnType.of("point"), "(1e+20,0.5)")).isEqualTo(s("(1e+20,0.5)"));
        // geometric types: numbers as PostgreSQL's float8 output renders them, whoever rendered the text
        assertThat(c.fromText(PgColumnType.of("box"), "(1.0,1.0),(0.0,0.0)")).isEqualTo(s("(1,1),(0,0)"));
        assertThat(c.fromText(PgColumnType.of("circle"), "<(0.0,0.0),1.0E20>")).isEqualTo(s("<(0,0),1e+20>"));
        assertThat(c.fromText(PgColumnType.of("line"), "{0.0,1.0,2.0}")).isEqualTo(s("{0,1,2}"));
        assertThat(c.fromText(PgColumnType.of("path"), "[(1.5E-5,-0.0001),(123456789012345.0,1.0E15)]"))
                .isEqualTo(s("[(1.5e-05,-0.0001),(123456789012345,1e+15)]"));
        assertThat(c.fromText(PgColumnType.of("tstzrange"), "empty")).isEqualTo(s("empty"));
        assertThat(c.fromText(PgColumnType.of("tstzrange"), "(,\"2024-01-01 00:00:00+01\"]"))
                .isEqualTo(s("(,\"2023-12-31T23:00:00Z\"]"));
        assertThat(c.fromText(PgColumnType.of("geography"), "0101000020e6100000"))
                .isEqualTo(s("0101000020E6100000"));
        assertThat(c.fromText(PgColumnType.of("_box"), "{(1,1),(0,0);(2,2),(1,1)}"))
                .isEqualTo(new ListValue(List.of(s("(1,1),(0,0)"), s("(2,2),(1,1)"))));
        assertThat(c.fromText(new PgColumnType("_int4", 'A', null, null, false), "{{1,2},{3,4}}"))
                .isEqualTo(new ListValue(List.of(
                        new ListValue(List.of(ElementValue.of(1), ElementValue.of(2))),
                        new ListValue(List.of(ElementValue.of(3), ElementValue.of(4))))));
        assertThat(c.fromText(PgColumnType.of("_int4"), "[0:1]={7,8}"))
                .isEqualTo(new ListValue(List.of(ElementValue.of(7), ElementValue.of(8))));
        assertThat(c.fromText(PgColumnType.of("_text"), "{ a b , \\\"x\\, null ,NULL}"))
                .isEqualTo(new ListValue(List.of(s("a b"), s("\"x, null"), ElementValue.NULL)));
        assertThat(c.fromText(PgColumnType.of("_text"), "{}")).isEqualTo(new ListValue(List.of()));
        assertThat(c.fromText(PgColumnType.arrayOf(PgColumnType.enumType("mood")), "{happy}"))
                .isEqualTo(new ListValue(List.of(s("happy"))));
        assertThat(c.fromText(
                        PgColumnType.domainOf("d2", PgColumnType.domainOf("d1", PgColumnType.of("numeric"))), "2.5"))
                .isEqualTo(new FloatValue(2.5));
        assertThat(PgColumnType.of("_int4").isArray()).isTrue();
        assertThat(PgColumnType.of("int4").category()).isEqualTo('N');
        for (String t :
                new String[] {"bool", "text", "date", "interval", "inet", "bit", "point", "int4range", "whatever"}) {
            assertThat(PgColumnType.of(t).category()).isNotEqualTo('A');
        }
        assertThat(c.fromText(PgColumnType.of("hstore"), "")).isEqualTo(new ObjectValue(Map.of()));
        assertThat(c.fromText(PgColumnType.of("hstore"), "a=>b,  \"c\\\"\"=>\"d\""))
                .isEqualTo(new ObjectValue(Map.of("a", s("b"), "c\"", s("d"))));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "_int4|1,2",
                "_int4|{1,2",
                "_int4|{1,2}x",
                "_int4|[0:1]{1}",
                "_text|{\"a}",
                "_text|{\"a\" b}",
                "_text|{a\\",
                "hstore|a=>",
                "hstore|\"a=>b",
                "hstore|a=>b c=>d",
                "hstore|NULL=>b",
                "hstore|a b",
                "bytea|0102",
                "bytea|\\x012",
                "bytea|\\xzz",
                "point|1,2",
                "tstzrange|[a]",
                "tstzrange|x",
                "tstzrange|[,",
                "json|{"
            })
    void fromText_malformedStructured_mappingException(String type, String text) {
        assertThatThrownBy(() -> c.fromText(PgColumnType.of(type), text)).isInstanceOf(MappingException.class);
    }

    @Test
    void fromConnect_physicalTypes_values() {
        assertThat(c.fromConnect(Schema.INT8_SCHEMA, (byte) 3)).isEqualTo(ElementValue.of(3));
        assertThat(c.fromConnect(Schema.BOOLEAN_SCHEMA, false)).isEqualTo(ElementValue.FALSE);
        assertThat(c.fromConnect(
                        SchemaBuilder.bool()
                                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "varbit")
                                .build(),
                        false))
                .isEqualTo(s("0"));
        assertThat(c.fromConnect(Schema.BYTES_SCHEMA, ByteBuffer.wrap(new byte[] {1, 2})))
                .isEqualTo(s("AQI="));
        Schema map = SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA)
                .build();
        Map<String, String> hstore = new LinkedHashMap<>();
        hstore.put("k", "v");
        hstore.put("n", null);
        assertThat(c.fromConnect(map, hstore)).isEqualTo(new ObjectValue(Map.of("k", s("v"), "n", ElementValue.NULL)));
        Schema struct = SchemaBuilder.struct()
                .name("some.Custom")
                .field("a", Schema.INT32_SCHEMA)
                .build();
        assertThat(c.fromConnect(struct, new Struct(struct).put("a", 5)))
                .isEqualTo(new ObjectValue(Map.of("a", ElementValue.of(5))));
        Schema geo = Geography.builder().build();
        assertThat(c.fromConnect(geo, Geography.createValue(geo, new byte[] {0, 0, 0, 0, 1, 1, 2}, null)))
                .isEqualTo(s("00000000010102"));
        assertThat(c.fromConnect(geo, Geography.createValue(geo, new byte[] {0, 0, 0, 0, 1, 1, 2}, 4326)))
                .isEqualTo(s("00200000010000" + "10E60102"));
        Schema bitsNoLength =
                SchemaBuilder.bytes().name(io.debezium.data.Bits.LOGICAL_NAME).build();
        assertThat(c.fromConnect(bitsNoLength, new byte[] {5})).isEqualTo(s("101"));
        assertThat(c.fromConnect(Json.schema(), "[1]")).isEqualTo(new ListValue(List.of(ElementValue.of(1))));
        assertThat(c.fromConnect(
                        SchemaBuilder.string().name("io.debezium.data.Ltree").build(), "a.b"))
                .isEqualTo(s("a.b"));
        assertThat(c.fromConnect(SchemaBuilder.string().name("unknown.Logical").build(), "x"))
                .isEqualTo(s("x"));
        assertThat(c.fromConnect(Schema.STRING_SCHEMA, null)).isEqualTo(ElementValue.NULL);
        assertThatThrownBy(() -> c.fromConnect(Schema.INT32_SCHEMA, "x"))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("INT32");
        assertThatThrownBy(() -> c.fromConnect(io.debezium.time.ZonedTimestamp.schema(), 5))
                .isInstanceOf(MappingException.class);
    }

    @Test
    void canonicalKey_eachValueKind_text() {
        assertThat(PgValueConverter.canonicalKey(ElementValue.of(-5))).isEqualTo("-5");
        assertThat(PgValueConverter.canonicalKey(new FloatValue(1.5))).isEqualTo("1.5");
        assertThat(PgValueConverter.canonicalKey(ElementValue.TRUE)).isEqualTo("true");
        assertThat(PgValueConverter.canonicalKey(ElementValue.NULL)).isNull();
        assertThat(PgValueConverter.canonicalKey(new ListValue(List.of(ElementValue.of(1), s("a")))))
                .isEqualTo("[1,\"a\"]");
        // numeric keys never go through a double: 2^53+1 and 1.0000000000000001 stay distinct
        Schema dec = Decimal.schema(0);
        assertThat(c.keyFromConnect(dec, new BigDecimal("9007199254740993"))).isEqualTo("9007199254740993");
        assertThat(c.keyFromText(PgColumnType.of("numeric"), "1.0000000000000001"))
                .isEqualTo("1.0000000000000001");
        assertThat(c.keyFromText(PgColumnType.of("numeric"), "1.50"))
                .isEqualTo(c.keyFromConnect(Decimal.schema(1), new BigDecimal("1.5")));
    }

    @Test
    void isUnavailablePlaceholder_allForms_detectedOthersNot() {
        String p = PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER;
        byte[] bytes = p.getBytes(StandardCharsets.UTF_8);
        Long[] longs = new Long[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            longs[i] = (long) bytes[i];
        }
        assertThat(PgValueConverter.isUnavailablePlaceholder(p)).isTrue();
        assertThat(PgValueConverter.isUnavailablePlaceholder(ByteBuffer.wrap(bytes)))
                .isTrue();
        assertThat(PgValueConverter.isUnavailablePlaceholder(List.of(p))).isTrue();
        assertThat(PgValueConverter.isUnavailablePlaceholder(Arrays.asList(longs)))
                .isTrue();
        longs[3] = 0L;
        assertThat(PgValueConverter.isUnavailablePlaceholder(Arrays.asList(longs)))
                .isFalse();
        assertThat(PgValueConverter.isUnavailablePlaceholder("__debezium_unavailable_valuE"))
                .isFalse();
        // hstore as JSON: the placeholder map, with or without spaces; other short text is not
        assertThat(PgValueConverter.isUnavailablePlaceholder("{\"" + p + "\":\"" + p + "\"}"))
                .isTrue();
        assertThat(PgValueConverter.isUnavailablePlaceholder("{ \"" + p + "\" : \"" + p + "\" }"))
                .isTrue();
        assertThat(PgValueConverter.isUnavailablePlaceholder("{\"" + p + "\":\"x\"}"))
                .isFalse();
        assertThat(PgValueConverter.isUnavailablePlaceholder("text value 1")).isFalse();
        assertThat(PgValueConverter.isUnavailablePlaceholder(List.of())).isFalse();
        assertThat(PgValueConverter.isUnavailablePlaceholder(List.of("a", "b"))).isFalse();
        assertThat(PgValueConverter.isUnavailablePlaceholder(5)).isFalse();
        assertThat(PgValueConverter.isUnavailablePlaceholder(null)).isFalse();
    }

    @Test
    void elementValue_invariants_enforced() {
        assertThatThrownBy(() -> new FloatValue(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StringValue(null)).isInstanceOf(NullPointerException.class);
        assertThat(ElementValue.NULL).hasToString("null");
        assertThat(ElementValue.of(true)).isSameAs(ElementValue.TRUE);
        Map<String, ElementValue> m = new LinkedHashMap<>();
        m.put("z", ElementValue.NULL);
        m.put("a", ElementValue.NULL);
        assertThat(new ObjectValue(m).values().keySet()).containsExactly("z", "a");
        assertThatThrownBy(() -> new ObjectValue(m).values().put("b", ElementValue.NULL))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}

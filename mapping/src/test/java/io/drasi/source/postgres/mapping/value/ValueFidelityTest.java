package io.drasi.source.postgres.mapping.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.data.Bits;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.ElementValue.FloatValue;
import io.drasi.source.postgres.model.ElementValue.ListValue;
import io.drasi.source.postgres.model.ElementValue.StringValue;
import io.drasi.source.postgres.model.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

/**
 * Pure halves of the issue-15 fixes: the Debezium converter that hands over the server's text, domains resolved by
 * declared type, bounded bit strings, float8 rendering, the unchanged-TOAST hstore marker and the unmappable-value
 * policy. The real-server halves are TypeSystemParityTest, TypeParityTest and UnmappableValueTest (it-tests).
 */
class ValueFidelityTest {

    private final PgValueConverter c = PgValueConverter.DEFAULT;
    private static final TableId T = TableId.of("public", "t");

    private static StringValue s(String v) {
        return new StringValue(v);
    }

    @Test
    void pgTextConverter_claimsBitsArraysGeometryAndTheirDomains_passesTheServersText() {
        assertThat(register("_int4", 1007)).isNotNull();
        assertThat(register("varbit", 1562)).isNotNull();
        assertThat(register("box", 603)).isNotNull();
        assertThat(register("d_varbit", 1562))
                .as("a domain: named by the domain, typed by its base oid")
                .isNotNull();
        assertThat(register("int4", 23)).isNull();
        assertThat(register("text", 25)).isNull();

        Registered r = register("_numeric", 1231);
        assertThat(r.schema.type()).isEqualTo(Schema.Type.STRING);
        assertThat(r.schema.parameters()).containsEntry(PgValueConverter.SOURCE_TYPE_PARAMETER, "_NUMERIC");
        assertThat(r.converter.convert("{1.20,3.40}")).isEqualTo("{1.20,3.40}");
        assertThat(r.converter.convert(null)).isNull();
        assertThat(r.converter.convert(new Object() {
                    @Override
                    public String toString() {
                        return "(1.0,1.0),(0.0,0.0)"; // what pgjdbc's PGbox renders
                    }
                }))
                .isEqualTo("(1.0,1.0),(0.0,0.0)");
        // Debezium's unchanged-TOAST marker is a bare Object: it must stay recognisable, never be emitted
        Object marker = r.converter.convert(new Object());
        assertThat(PgValueConverter.isUnavailablePlaceholder(marker)).isTrue();

        // end to end through fromConnect: the array text is mapped element by element with the element type
        assertThat(c.fromConnect(r.schema, "{1.20,NaN,NULL}"))
                .isEqualTo(new ListValue(List.of(new FloatValue(1.2), s("NaN"), ElementValue.NULL)));
        assertThat(new PgValueConverter(PgValueConverter.NumericMode.EXACT_STRING).fromConnect(r.schema, "{1.20,3.40}"))
                .isEqualTo(new ListValue(List.of(s("1.2"), s("3.4"))));
        Registered bits = register("varbit", 1562);
        assertThat(c.fromConnect(bits.schema, "00101")).isEqualTo(s("00101"));
        Registered tstz = register("_tstzrange", 3911);
        assertThat(c.fromConnect(tstz.schema, "{\"[\\\"2017-06-05 16:59:12.549426+05:30\\\",)\"}"))
                .isEqualTo(new ListValue(List.of(s("[\"2017-06-05T11:29:12.549426Z\",)"))));
    }

    @Test
    void fromConnect_declaredDomain_mapsAsItsBaseType() {
        PgColumnType numericDomain = PgColumnType.domainOf("price", PgColumnType.of("numeric"));
        Schema asString = SchemaBuilder.string()
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "PRICE")
                .build();
        assertThat(c.fromConnect(asString, "1.50"))
                .as("without the catalog: the domain's name says nothing")
                .isEqualTo(s("1.50"));
        assertThat(c.fromConnect(asString, "1.50", numericDomain)).isEqualTo(new FloatValue(1.5));
        Schema asBytes = SchemaBuilder.bytes()
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "BLOB")
                .build();
        assertThat(c.fromConnect(asBytes, new byte[] {0x30}, PgColumnType.domainOf("blob", PgColumnType.of("bytea"))))
                .isEqualTo(s("MA=="));
        Schema asBool = SchemaBuilder.bool()
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "FLAG")
                .build();
        assertThat(c.fromConnect(asBool, false, PgColumnType.domainOf("flag", PgColumnType.of("bit"))))
                .isEqualTo(s("0"));
        Schema list = SchemaBuilder.array(SchemaBuilder.OPTIONAL_STRING_SCHEMA)
                .optional()
                .build();
        assertThat(c.fromConnect(
                        list,
                        List.of("1.5", "2"),
                        PgColumnType.arrayOf(PgColumnType.domainOf("price", PgColumnType.of("numeric")))))
                .isEqualTo(new ListValue(List.of(new FloatValue(1.5), new FloatValue(2.0))));
    }

    @Test
    void fromConnect_debeziumListsWithoutConverter_elementTypeAndNestingRespected() {
        Schema numericArray = SchemaBuilder.array(SchemaBuilder.OPTIONAL_STRING_SCHEMA)
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "_NUMERIC")
                .build();
        assertThat(c.fromConnect(numericArray, List.of("1.20", "3.40")))
                .isEqualTo(new ListValue(List.of(new FloatValue(1.2), new FloatValue(3.4))));
        Schema jsonArray = SchemaBuilder.array(SchemaBuilder.OPTIONAL_STRING_SCHEMA)
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "_JSON")
                .build();
        List<Object> twoDim = new ArrayList<>();
        twoDim.add(new Object[] {"1", "{\"a\":2}"});
        assertThat(c.fromConnect(jsonArray, twoDim))
                .isEqualTo(new ListValue(List.of(new ListValue(
                        List.of(ElementValue.of(1), new ElementValue.ObjectValue(Map.of("a", ElementValue.of(2))))))));
    }

    @Test
    void fromConnect_bitsWithHugeDeclaredLength_boundedByTheData() {
        // varbit without a length: Debezium declares the type's maximum; allocating that killed the stream (OOM)
        Schema varbit = Bits.builder(Integer.MAX_VALUE)
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "VARBIT")
                .build();
        assertThat(c.fromConnect(varbit, new byte[] {0b101})).isEqualTo(s("101"));
        Schema bit24 = Bits.builder(24)
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "BIT")
                .build();
        assertThat(c.fromConnect(bit24, new byte[] {1, 2, 3})).isEqualTo(s("000000110000001000000001"));
    }

    @Test
    void float8_rendersLikePostgres() {
        assertThat(PgText.float8(1)).isEqualTo("1");
        assertThat(PgText.float8(-0.0)).isEqualTo("-0");
        assertThat(PgText.float8(1.5e-5)).isEqualTo("1.5e-05");
        assertThat(PgText.float8(0.0001)).isEqualTo("0.0001");
        assertThat(PgText.float8(123456789012345.0)).isEqualTo("123456789012345");
        assertThat(PgText.float8(1e15)).isEqualTo("1e+15");
        assertThat(PgText.float8(-9.223372036854776e18)).isEqualTo("-9.223372036854776e+18");
        assertThat(PgText.float8(Double.NaN)).isEqualTo("NaN");
        assertThat(PgText.float8(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(PgText.float8(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThatThrownBy(() -> PgText.geometric("1,2"))
                .isInstanceOf(io.drasi.source.postgres.mapping.MappingException.class);
    }

    @Test
    void tstzmultirange_eachRangeCanonicalUtc() {
        assertThat(c.fromText(
                        PgColumnType.of("tstzmultirange"),
                        "{[\"2024-01-01 10:00:00+05:45\",\"2024-01-02 00:00:00-03:30\"), (,\"2024-02-01 "
                                + "00:00:00+00\")}"))
                .isEqualTo(s("{[\"2024-01-01T04:15:00Z\",\"2024-01-02T03:30:00Z\"),(,\"2024-02-01T00:00:00Z\")}"));
        assertThat(c.fromText(PgColumnType.of("tstzmultirange"), "{}")).isEqualTo(s("{}"));
        assertThatThrownBy(() -> c.fromText(PgColumnType.of("tstzmultirange"), "[1,2)"))
                .isInstanceOf(io.drasi.source.postgres.mapping.MappingException.class);
    }

    @Test
    void isUnavailablePlaceholder_hstoreMarkerAsJsonOrMap_recognised() {
        String p = PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER;
        assertThat(PgValueConverter.isUnavailablePlaceholder("{\"" + p + "\":\"" + p + "\"}"))
                .isTrue();
        assertThat(PgValueConverter.isUnavailablePlaceholder("{\"" + p + "\": \"" + p + "\"}"))
                .isTrue();
        assertThat(PgValueConverter.isUnavailablePlaceholder(Map.of(p, p))).isTrue();
        assertThat(PgValueConverter.isUnavailablePlaceholder("{\"a\":\"" + p + "\"}"))
                .isFalse();
        assertThat(PgValueConverter.isUnavailablePlaceholder(Map.of("a", "b"))).isFalse();
    }

    @Test
    void columnFromConnect_unconvertible_failNamesColumnOrTextDeliversText() {
        Schema json = io.debezium.data.Json.builder()
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "JSONB")
                .build();
        String deep = "[".repeat(1001) + "]".repeat(1001);
        assertThatThrownBy(() -> c.columnFromConnect(T, "doc", json, deep, 0x16B374D848L, null))
                .isInstanceOfSatisfying(UnmappableValueException.class, e -> {
                    assertThat(e.column()).isEqualTo("doc");
                    assertThat(e.pgType()).isEqualTo("jsonb");
                    assertThat(e.lsn()).contains(0x16B374D848L);
                    assertThat(e)
                            .hasMessageContaining("public.t.doc")
                            .hasMessageContaining("16/B374D848")
                            .hasMessageContaining("unmappable_values: text");
                });
        List<UnmappableValueException> told = new ArrayList<>();
        PgValueConverter text =
                new PgValueConverter(PgValueConverter.NumericMode.FLOAT, UnmappableValues.TEXT, told::add);
        assertThat(text.unmappableValues()).isEqualTo(UnmappableValues.TEXT);
        assertThat(text.columnFromConnect(T, "doc", json, deep, 1L, null)).isEqualTo(s(deep));
        assertThat(text.columnFromText(T, "doc", PgColumnType.of("jsonb"), deep))
                .isEqualTo(s(deep));
        assertThat(told).hasSize(2).allSatisfy(e -> assertThat(e.column()).isEqualTo("doc"));
        assertThat(told.get(1).lsn()).isEmpty();
        assertThatThrownBy(() -> c.columnFromText(T, "doc", PgColumnType.of("jsonb"), deep))
                .isInstanceOf(UnmappableValueException.class)
                .hasMessageContaining("bootstrap row");
        // the text form of values Debezium built: bytea as hex, lists as array literals, unknown bytes as UTF-8
        Schema bytea = SchemaBuilder.bytes()
                .optional()
                .parameter(PgValueConverter.SOURCE_TYPE_PARAMETER, "BYTEA")
                .build();
        assertThat(PgText.fromConnect(bytea, new byte[] {(byte) 0xde, 0x01}, "bytea"))
                .isEqualTo("\\xde01");
        assertThat(PgText.fromConnect(bytea, java.nio.ByteBuffer.wrap(new byte[] {0x41}), "x"))
                .isEqualTo("A");
        Schema texts = SchemaBuilder.array(SchemaBuilder.OPTIONAL_STRING_SCHEMA).build();
        List<Object> elements = new ArrayList<>(List.of("a", "b c", "q\"", "NULL", ""));
        elements.add(null);
        assertThat(PgText.fromConnect(texts, elements, "_text")).isEqualTo("{a,\"b c\",\"q\\\"\",\"NULL\",\"\",NULL}");
        assertThat(PgText.fromConnect(texts, null, "_text")).isNull();
        assertThat(PgText.fromConnect(SchemaBuilder.int32().build(), 7, "int4")).isEqualTo("7");
    }

    private record Registered(Schema schema, CustomConverter.Converter converter) {}

    private static Registered register(String typeName, int oid) {
        Registered[] out = new Registered[1];
        PgTextConverter converter = new PgTextConverter();
        converter.configure(new Properties());
        converter.converterFor(column(typeName, oid), (schema, conv) -> out[0] = new Registered(schema.build(), conv));
        return out[0];
    }

    private static RelationalColumn column(String typeName, int oid) {
        return new RelationalColumn() {
            @Override
            public int jdbcType() {
                return java.sql.Types.OTHER;
            }

            @Override
            public int nativeType() {
                return oid;
            }

            @Override
            public String typeName() {
                return typeName;
            }

            @Override
            public String typeExpression() {
                return typeName;
            }

            @Override
            public OptionalInt length() {
                return OptionalInt.empty();
            }

            @Override
            public OptionalInt scale() {
                return OptionalInt.empty();
            }

            @Override
            public boolean isOptional() {
                return true;
            }

            @Override
            public Object defaultValue() {
                return null;
            }

            @Override
            public boolean hasDefaultValue() {
                return false;
            }

            @Override
            public String name() {
                return "c";
            }

            @Override
            public String dataCollection() {
                return "public.t";
            }
        };
    }
}

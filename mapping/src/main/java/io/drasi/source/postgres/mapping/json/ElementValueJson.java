package io.drasi.source.postgres.mapping.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.drasi.source.postgres.mapping.MappingException;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.ElementValue.BoolValue;
import io.drasi.source.postgres.model.ElementValue.FloatValue;
import io.drasi.source.postgres.model.ElementValue.IntValue;
import io.drasi.source.postgres.model.ElementValue.ListValue;
import io.drasi.source.postgres.model.ElementValue.NullValue;
import io.drasi.source.postgres.model.ElementValue.ObjectValue;
import io.drasi.source.postgres.model.ElementValue.StringValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON reading and writing of {@link ElementValue}s: the one place that maps Drasi values to JSON
 * tokens. Used by every codec and by the value converter for {@code json}/{@code jsonb} columns.
 *
 * <p>Integers that fit in 64 bits become {@link IntValue}; other numbers become {@link FloatValue}
 * (numbers beyond the double range become their decimal text as a string).
 *
 * <p>Thread-safety: stateless, safe for concurrent use.
 */
public final class ElementValueJson {

    /**
     * Deepest {@code json}/{@code jsonb} nesting the value table converts. Deeper documents (legal in PostgreSQL) are
     * unmappable values (see {@code unmappable_values}): every stage after the mapping walks values recursively, so
     * the bound keeps a document from overflowing a thread's stack anywhere downstream.
     */
    public static final int MAX_NESTING_DEPTH = 1_000;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(200_000)
                    .build())
            .build();

    private ElementValueJson() {}

    /**
     * Parses a JSON document (e.g. a {@code jsonb} column's text) into a value.
     *
     * @param json the JSON text; never null
     * @return the value
     * @throws MappingException when the text is not valid JSON
     */
    public static ElementValue parse(String json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new MappingException("empty JSON document");
            }
            ElementValue v = read(p);
            if (p.nextToken() != null) {
                throw new MappingException("trailing content after JSON value: '" + abbreviate(json) + "'");
            }
            return v;
        } catch (IOException e) {
            throw new MappingException("invalid JSON value '" + abbreviate(json) + "': " + e.getMessage(), e);
        }
    }

    /**
     * Reads the value starting at the parser's current token.
     *
     * @param p a parser positioned on the first token of a value; never null
     * @return the value
     * @throws IOException on malformed input
     */
    public static ElementValue read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new MappingException("unexpected end of JSON input");
        }
        switch (t) {
            case VALUE_NULL:
                return ElementValue.NULL;
            case VALUE_TRUE:
                return ElementValue.TRUE;
            case VALUE_FALSE:
                return ElementValue.FALSE;
            case VALUE_STRING:
                return new StringValue(p.getText());
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.INT || p.getNumberType() == JsonParser.NumberType.LONG) {
                    return new IntValue(p.getLongValue());
                }
                return finiteOrText(p.getDoubleValue(), p.getText());
            case VALUE_NUMBER_FLOAT:
                return finiteOrText(p.getDoubleValue(), p.getText());
            case START_ARRAY: {
                List<ElementValue> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                return new ListValue(list);
            }
            case START_OBJECT: {
                Map<String, ElementValue> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p));
                }
                return new ObjectValue(map);
            }
            default:
                throw new MappingException("unexpected JSON token " + t);
        }
    }

    /**
     * Writes a value at the generator's current position.
     *
     * @param g     the generator; never null
     * @param value the value; never null
     * @throws IOException from the generator
     */
    public static void write(JsonGenerator g, ElementValue value) throws IOException {
        if (value instanceof StringValue s) {
            g.writeString(s.value());
        } else if (value instanceof IntValue i) {
            g.writeNumber(i.value());
        } else if (value instanceof FloatValue f) {
            g.writeNumber(f.value());
        } else if (value instanceof BoolValue b) {
            g.writeBoolean(b.value());
        } else if (value instanceof NullValue) {
            g.writeNull();
        } else if (value instanceof ListValue l) {
            g.writeStartArray();
            for (ElementValue v : l.values()) {
                write(g, v);
            }
            g.writeEndArray();
        } else {
            writeObject(g, ((ObjectValue) value).values());
        }
    }

    /**
     * Writes a properties map as a JSON object.
     *
     * @param g          the generator; never null
     * @param properties the map; never null
     * @throws IOException from the generator
     */
    public static void writeObject(JsonGenerator g, Map<String, ElementValue> properties) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, ElementValue> e : properties.entrySet()) {
            g.writeFieldName(e.getKey());
            write(g, e.getValue());
        }
        g.writeEndObject();
    }

    /**
     * Reads a JSON object into a properties map (insertion-ordered).
     *
     * @param p a parser positioned on START_OBJECT; never null
     * @return the map
     * @throws IOException on malformed input
     */
    public static Map<String, ElementValue> readObject(JsonParser p) throws IOException {
        ElementValue v = read(p);
        if (!(v instanceof ObjectValue o)) {
            throw new MappingException("expected a JSON object, got " + v);
        }
        return o.values();
    }

    private static ElementValue finiteOrText(double d, String text) {
        return Double.isFinite(d) ? new FloatValue(d) : new StringValue(text);
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}

package io.drasi.source.postgres.mapping.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.drasi.source.postgres.mapping.MappingException;

import java.io.IOException;
import java.io.StringWriter;

/** Shared plumbing of the codecs (no field names live here). Thread-safety: stateless. */
final class Codecs {

    private Codecs() {
    }

    /** Something that writes one JSON value. */
    @FunctionalInterface
    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    static String toJson(Writer writer) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = ElementValueJson.FACTORY.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new MappingException("JSON encoding failed: " + e.getMessage(), e);
        }
        return out.toString();
    }

    static void writeLabels(JsonGenerator g, String field, java.util.List<String> labels) throws IOException {
        g.writeArrayFieldStart(field);
        for (String l : labels) {
            g.writeString(l);
        }
        g.writeEndArray();
    }
}

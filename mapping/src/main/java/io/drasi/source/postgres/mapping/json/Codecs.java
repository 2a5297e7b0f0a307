package io.drasi.source.postgres.mapping.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.drasi.source.postgres.mapping.MappingException;
import java.io.IOException;
import java.io.StringWriter;

/** Shared plumbing of the codecs (no field names live here). Thread-safety: stateless. */
final class Codecs {

    private Codecs() {}

    /** Something that writes one JSON value. */
    @FunctionalInterface
    interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    /** Per-thread reusable output buffer (codecs never nest, so one per thread suffices). */
    private static final ThreadLocal<StringWriter> BUFFER = ThreadLocal.withInitial(() -> new StringWriter(512));

    static String toJson(Writer writer) {
        StringWriter out = BUFFER.get();
        StringBuffer buf = out.getBuffer();
        buf.setLength(0);
        try (JsonGenerator g = ElementValueJson.FACTORY.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new MappingException("JSON encoding failed: " + e.getMessage(), e);
        } finally {
            if (buf.capacity() > 1 << 20) {
                BUFFER.remove(); // do not pin huge buffers after an exceptional change
            }
        }
        return buf.toString();
    }

    static void writeLabels(JsonGenerator g, String field, java.util.List<String> labels) throws IOException {
        g.writeArrayFieldStart(field);
        for (String l : labels) {
            g.writeString(l);
        }
        g.writeEndArray();
    }
}

package io.drasi.source.postgres.mapping.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import io.drasi.source.postgres.model.SourceChange;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * JSON lines straight to a byte stream: each change in one of the codecs' shapes ({@link SeedJson},
 * {@link PlatformWireJson}, {@link HostPushJson}) as one UTF-8 line, through one long-lived generator — no
 * {@code String} per change and no second character-to-byte pass, which is what {@code encode(...)} followed by a
 * {@code Writer} costs. The bytes are identical to {@code encode(...)} plus {@code '\n'}.
 *
 * <p>Output is buffered: nothing is guaranteed to have reached {@code out} before {@link #flush()} returns.
 * An {@link IOException} of {@code out} is thrown as an {@link UncheckedIOException}. A TRUNCATE, which the
 * platform and host shapes cannot carry, throws {@link IllegalArgumentException} before anything is written.
 *
 * <p>Thread-safety: not thread-safe; one writer at a time (callers synchronize). {@code out} is not closed here.
 */
public final class JsonLines implements Flushable {

    private final JsonGenerator g;

    /** @param out the stream the lines go to (not closed by this class); never null */
    public JsonLines(OutputStream out) {
        try {
            g = ElementValueJson.FACTORY.createGenerator(Objects.requireNonNull(out, "out"), JsonEncoding.UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.setRootValueSeparator(null); // lines end with '\n', written below
    }

    /** Writes {@code change} in the seed / drasi-core shape ({@link SeedJson#encode}) and a newline. */
    public void seed(SourceChange change) {
        try { // no lambda per line: one call chain the JIT compiles once (issue 19)
            SeedJson.write(g, change);
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code change} as a drasi-server HTTP source event ({@link HostPushJson#encode}) and a newline. */
    public void host(SourceChange change) {
        try {
            HostPushJson.write(g, change);
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code change} in the Drasi platform wire shape ({@link PlatformWireJson#encode}) and a newline. */
    public void platform(SourceChange change, long lsn, long reactivatorStartNs, long reactivatorEndNs, String db) {
        try {
            PlatformWireJson.write(g, change, lsn, reactivatorStartNs, reactivatorEndNs, db);
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes an already encoded line (no newline inside) and a newline. */
    public void raw(String line) {
        try {
            g.writeRaw(line);
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void flush() {
        try {
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

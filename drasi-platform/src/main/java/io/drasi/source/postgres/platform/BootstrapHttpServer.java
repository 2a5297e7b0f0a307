package io.drasi.source.postgres.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drasi.source.sdk.BootstrapStream;
import io.drasi.source.sdk.models.BootstrapRequest;
import io.drasi.source.sdk.models.SourceElement;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source proxy's HTTP server: the SDK's {@code SourceProxy} routes and wire format ({@code POST
 * /acquire-stream} answers NDJSON rows, 400 with the {@code validate()} problems; {@code GET|POST
 * /supports-stream} answers 204), but it always closes the {@link BootstrapStream}: after the last row, when
 * the client goes away (a write fails, or the connection ends) and when {@code next()} fails.
 *
 * <p>Why not the SDK's {@code SourceProxy} (source.sdk 0.1.10): when writing a row fails because the client
 * disconnected, its {@code JsonStreamingHandler} calls {@code setStatusCode(500)} on the already started
 * response, which throws before it reaches {@code stream.close()}: the bootstrap would read the rest of the
 * table into a queue nobody drains and keep its temporary slot and connections.
 *
 * <p>A failure of {@code next()} after rows were sent aborts the connection without the final chunk, so the
 * client sees a truncated response, never a complete-looking partial snapshot.
 *
 * <p>Thread-safety: {@link #start} may be called from any thread; each request runs on an Undertow worker thread.
 */
final class BootstrapHttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(BootstrapHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private BootstrapHttpServer() {}

    /**
     * Starts listening on all interfaces.
     *
     * @param port    TCP port
     * @param streams the stream function; never null
     * @return the running server (stop it to close the listener)
     */
    static Undertow start(int port, Function<BootstrapRequest, BootstrapStream> streams) {
        Objects.requireNonNull(streams, "streams");
        HttpHandler noContent = ex -> ex.setStatusCode(204).endExchange();
        Undertow server = Undertow.builder()
                .addHttpListener(port, "0.0.0.0")
                .setHandler(Handlers.routing()
                        .post("acquire-stream", new AcquireStream(streams))
                        .get("supports-stream", noContent)
                        .post("supports-stream", noContent))
                .build();
        server.start();
        LOG.info("source proxy listening on port {}", port);
        return server;
    }

    /** {@code POST /acquire-stream}, blocking on a worker thread. */
    private static final class AcquireStream implements HttpHandler {
        private final Function<BootstrapRequest, BootstrapStream> streams;

        AcquireStream(Function<BootstrapRequest, BootstrapStream> streams) {
            this.streams = streams;
        }

        @Override
        public void handleRequest(HttpServerExchange ex) throws Exception {
            if (ex.isInIoThread()) {
                ex.dispatch(this);
                return;
            }
            ex.startBlocking();
            BootstrapRequest request;
            try {
                request = JSON.readValue(ex.getInputStream().readAllBytes(), BootstrapRequest.class);
            } catch (IOException | RuntimeException e) {
                LOG.warn("acquire-stream: unreadable request: {}", e.getMessage());
                plain(ex, 400, "Error parsing request: " + e.getMessage());
                return;
            }
            BootstrapStream stream = streams.apply(request);
            // the connection may end in any way (client gone, server stopping): the read must stop with it
            ex.addExchangeCompleteListener((done, next) -> {
                closeQuietly(stream);
                next.proceed();
            });
            try (stream) {
                List<String> problems = stream.validate();
                if (!problems.isEmpty()) {
                    plain(ex, 400, "Error validating request: " + String.join(",", problems));
                    return;
                }
                ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                OutputStream out = ex.getOutputStream();
                long rows = 0;
                SourceElement e;
                while ((e = next(ex, stream, rows)) != null) {
                    try {
                        out.write((e.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
                    } catch (IOException gone) {
                        LOG.info(
                                "acquire-stream: the client went away after {} rows ({}); stopping the bootstrap",
                                rows,
                                gone.toString());
                        return; // closing the stream cancels the read
                    }
                    rows++;
                }
                try {
                    out.close(); // final chunk
                } catch (IOException gone) {
                    LOG.info("acquire-stream: the client went away at the end of {} rows ({})", rows, gone.toString());
                }
            } catch (StreamFailed failed) {
                // already logged and the connection aborted
            }
        }

        /** {@code stream.next()}; a failure aborts the connection (or answers 500 if nothing was sent yet). */
        private static SourceElement next(HttpServerExchange ex, BootstrapStream stream, long rows) {
            try {
                return stream.next();
            } catch (RuntimeException e) {
                LOG.error("acquire-stream: the bootstrap failed after {} rows: {}", rows, e.getMessage(), e);
                if (ex.isResponseStarted()) {
                    abort(ex); // no final chunk: the client must not take this for a complete snapshot
                } else {
                    plain(ex, 500, e.getMessage());
                }
                throw new StreamFailed();
            }
        }

        private static void plain(HttpServerExchange ex, int status, String body) {
            ex.setStatusCode(status);
            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            try (OutputStream out = ex.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            } catch (IOException gone) {
                LOG.info("acquire-stream: the client went away before the {} answer ({})", status, gone.toString());
            }
        }

        private static void closeQuietly(BootstrapStream stream) {
            try {
                stream.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("acquire-stream: closing the bootstrap stream failed: {}", e.toString());
            }
        }
    }

    /** Unwinds the handler after next() failed; carries nothing. */
    private static final class StreamFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StreamFailed() {
            super(null, null, false, false);
        }
    }

    private static void abort(HttpServerExchange ex) {
        try {
            ex.getConnection().close();
        } catch (IOException e) {
            LOG.debug("closing the connection failed: {}", e.toString());
        }
    }
}

package io.drasi.source.postgres.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An in-process stand-in for the drasi-lib / drasi-server HTTP source in standard mode, on 127.0.0.1 and a
 * free port, implementing the documented contract (drasi-core components/sources/http):
 * {@code POST /sources/{id}/events} and {@code /events/batch} ({@code {"events":[...]}}), {@code GET /health};
 * source id mismatch → 400 {@code {"success":false,"message":"Source name mismatch",...}}; body that is not
 * JSON → 400 (plain text, as axum); every event invalid → 400 {@code "All N events failed"}; some invalid →
 * 200 {@code success:true} with {@code "Processed X events successfully, Y failed"} and {@code error}; all
 * valid → 200 {@code "All N events processed successfully"} without {@code error}. With a token configured,
 * a missing or wrong {@code Authorization: Bearer} → 401.
 *
 * <p>Applied events change a model (element id → properties) in arrival order, like Drasi's element
 * store. Faults can be scripted per request ({@link #enqueue}), and {@link #down()}/{@link #up()} stop and
 * re-bind the listener on the same port (connection refused meanwhile).
 *
 * <p>Thread-safety: all methods are thread-safe.
 */
public final class FakeDrasiHttpSource implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A scripted behaviour for one request. */
    public sealed interface Fault permits Ok, Status, Partial, Delay, SuccessFalse, Drop {}

    /** Process normally (a placeholder to script later requests). */
    public record Ok() implements Fault {}

    /** Answer with this status and body; nothing applied. */
    public record Status(int code, String body) implements Fault {}

    /** Apply every event except those at these indexes; answer as drasi does for a partial batch. */
    public record Partial(Set<Integer> failIndexes) implements Fault {}

    /** Process normally (events applied), but answer only after this delay. */
    public record Delay(Duration delay) implements Fault {}

    /** Answer 200 {@code success:false}; nothing applied. */
    public record SuccessFalse() implements Fault {}

    /** Close the connection without an answer; nothing applied. */
    public record Drop() implements Fault {}

    /**
     * One request as the server saw it.
     *
     * @param path         request path
     * @param events       the events posted (ids in order are {@link #ids()})
     * @param applied      the events this request applied to the model
     * @param status       the status answered (-1: dropped)
     * @param fullSuccess  true when every event was applied and success without error was answered
     * @param headers      every request header, names in lower case (the first value of each)
     */
    public record Request(
            String path,
            List<JsonNode> events,
            List<JsonNode> applied,
            int status,
            boolean fullSuccess,
            Map<String, String> headers) {
        /** @return the Authorization header, or null */
        public String authorization() {
            return headers.get("authorization");
        }

        /** @return the events' element ids in order */
        public List<String> ids() {
            return events.stream().map(FakeDrasiHttpSource::idOf).toList();
        }
    }

    private final String sourceId;
    private final String token;
    private final int port;
    private final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private final List<JsonNode> applied = new ArrayList<>();
    private final Map<String, JsonNode> elements = new LinkedHashMap<>();
    private HttpServer server;
    private ExecutorService executor;

    private FakeDrasiHttpSource(String sourceId, String token) throws IOException {
        this.sourceId = sourceId;
        this.token = token;
        this.server = bind(0);
        this.port = server.getAddress().getPort();
    }

    /** @return a started server for source {@code sourceId}, without auth */
    public static FakeDrasiHttpSource start(String sourceId) {
        return start(sourceId, null);
    }

    /** @return a started server for source {@code sourceId} that demands {@code Bearer token} (null: none) */
    public static FakeDrasiHttpSource start(String sourceId, String token) {
        try {
            return new FakeDrasiHttpSource(sourceId, token);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return {@code http://127.0.0.1:port/sources/{sourceId}} */
    public String url() {
        return "http://127.0.0.1:" + port + "/sources/" + sourceId;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** Scripts faults for the next requests, in order (one per request). */
    public void enqueue(Fault... f) {
        faults.addAll(List.of(f));
    }

    /**
     * Stops listening: connections are refused until {@link #up()}. Returns once no request is being handled any
     * more, so {@link #applied()} does not change until {@code up()} (a request already being handled when the
     * server went down is finished or cut off first, as by a real server's shutdown).
     */
    public synchronized void down() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
            try {
                if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("a request handler did not end within 10 s of down()");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Listens again on the same port. */
    public synchronized void up() {
        if (server != null) {
            return;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                server = bind(port);
                return;
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException(e);
                }
                sleep(50);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** @return whether the server listens */
    public synchronized boolean isUp() {
        return server != null;
    }

    /** @return every request so far, in arrival order */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** @return every applied event, in order */
    public List<JsonNode> applied() {
        synchronized (requests) {
            return List.copyOf(applied);
        }
    }

    /** @return the element ids of the applied events, in order */
    public List<String> appliedIds() {
        return applied().stream().map(FakeDrasiHttpSource::idOf).toList();
    }

    /** @return the model: element id → properties, after every applied event */
    public Map<String, JsonNode> elements() {
        synchronized (requests) {
            return new LinkedHashMap<>(elements);
        }
    }

    /**
     * Waits until {@code condition} holds for the applied events.
     *
     * @return true if it held within {@code timeout}
     */
    public boolean awaitApplied(Predicate<List<JsonNode>> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.test(applied())) {
                return true;
            }
            sleep(20);
        }
        return condition.test(applied());
    }

    @Override
    public void close() {
        down();
    }

    /** @return the element id of an event ({@code element.id} or, for a delete, {@code id}) */
    public static String idOf(JsonNode event) {
        return event.has("element")
                ? event.path("element").path("id").asText()
                : event.path("id").asText();
    }

    private HttpServer bind(int p) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 0);
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fake-drasi-http");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        s.start();
        return s;
    }

    private void handle(HttpExchange ex) {
        try {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/health") && ex.getRequestMethod().equals("GET")) {
                respond(ex, 200, "{\"status\":\"healthy\",\"service\":\"http-source\"}");
                return;
            }
            String[] seg = path.split("/");
            // "", "sources", id, "events" [, "batch"]
            boolean single = seg.length == 4 && seg[1].equals("sources") && seg[3].equals("events");
            boolean batch =
                    seg.length == 5 && seg[1].equals("sources") && seg[3].equals("events") && seg[4].equals("batch");
            if (!single && !batch) {
                respond(ex, 404, "");
                return;
            }
            if (!ex.getRequestMethod().equals("POST")) {
                respond(ex, 405, "");
                return;
            }
            byte[] raw = ex.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            String auth = headers.get("authorization");
            List<JsonNode> events = new ArrayList<>();
            JsonNode body;
            try {
                body = JSON.readTree(raw);
            } catch (IOException e) {
                record(path, events, List.of(), 400, false, headers);
                respond(ex, 400, "Failed to parse the request body as JSON: " + e.getMessage());
                return;
            }
            if (batch) {
                if (body == null || !body.path("events").isArray()) {
                    record(path, events, List.of(), 422, false, headers);
                    respond(
                            ex,
                            422,
                            "Failed to deserialize the JSON body into the target type: missing field `events`");
                    return;
                }
                body.path("events").forEach(events::add);
            } else {
                events.add(body);
            }
            if (token != null && !("Bearer " + token).equals(auth)) {
                record(path, events, List.of(), 401, false, headers);
                respond(ex, 401, reply(false, "Unauthorized", "missing or invalid bearer token"));
                return;
            }
            if (!seg[2].equals(sourceId)) {
                record(path, events, List.of(), 400, false, headers);
                respond(
                        ex,
                        400,
                        reply(
                                false,
                                "Source name mismatch",
                                "Expected source '" + sourceId + "', got '" + seg[2] + "'"));
                return;
            }
            Fault fault = faults.poll();
            if (fault instanceof Status s) {
                record(path, events, List.of(), s.code(), false, headers);
                respond(ex, s.code(), s.body());
                return;
            }
            if (fault instanceof SuccessFalse) {
                record(path, events, List.of(), 200, false, headers);
                respond(ex, 200, reply(false, "Internal channel error", null));
                return;
            }
            if (fault instanceof Drop) {
                record(path, events, List.of(), -1, false, headers);
                return; // closed without an answer
            }
            Set<Integer> failing = fault instanceof Partial p ? p.failIndexes() : Set.of();
            List<JsonNode> done = new ArrayList<>();
            String lastError = null;
            synchronized (requests) {
                for (int i = 0; i < events.size(); i++) {
                    String problem = failing.contains(i) ? "Internal channel error" : validate(events.get(i));
                    if (problem != null) {
                        lastError = problem;
                    } else {
                        apply(events.get(i));
                        done.add(events.get(i));
                    }
                }
            }
            int failed = events.size() - done.size();
            int status = failed > 0 && done.isEmpty() ? 400 : 200;
            record(path, events, done, status, failed == 0, headers);
            if (fault instanceof Delay d) {
                sleep(d.delay().toMillis());
            }
            if (failed > 0 && done.isEmpty()) {
                respond(ex, 400, reply(false, "All " + failed + " events failed", lastError));
            } else if (failed > 0) {
                respond(
                        ex,
                        200,
                        reply(
                                true,
                                "Processed " + done.size() + " events successfully, " + failed + " failed",
                                lastError));
            } else {
                respond(ex, 200, reply(true, "All " + done.size() + " events processed successfully", null));
            }
        } catch (IOException | RuntimeException e) {
            // client went away (e.g. after its timeout): nothing to answer
        } finally {
            ex.close();
        }
    }

    private void record(
            String path, List<JsonNode> events, List<JsonNode> done, int status, boolean full, Map<String, String> h) {
        synchronized (requests) {
            requests.add(new Request(path, List.copyOf(events), List.copyOf(done), status, full, Map.copyOf(h)));
        }
    }

    private static String validate(JsonNode e) {
        String op = e.path("operation").asText("");
        switch (op) {
            case "insert", "update" -> {
                JsonNode el = e.path("element");
                if (!el.path("type").asText().equals("node")
                        || !el.path("id").isTextual()
                        || !el.path("labels").isArray()
                        || !el.path("properties").isObject()) {
                    return "Invalid element: " + el;
                }
            }
            case "delete" -> {
                if (!e.path("id").isTextual() || !e.path("labels").isArray()) {
                    return "Invalid delete: " + e;
                }
            }
            default -> {
                return "unknown operation '" + op + "'";
            }
        }
        if (e.has("timestamp") && !e.path("timestamp").canConvertToLong()) {
            return "Invalid timestamp";
        }
        return null;
    }

    private void apply(JsonNode e) {
        applied.add(e);
        if (e.path("operation").asText().equals("delete")) {
            elements.remove(e.path("id").asText());
        } else {
            elements.put(
                    e.path("element").path("id").asText(), e.path("element").path("properties"));
        }
    }

    private static String reply(boolean success, String message, String error) {
        ObjectNode n = JSON.createObjectNode();
        n.put("success", success);
        n.put("message", message);
        if (error != null) {
            n.put("error", error);
        }
        return n.toString();
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

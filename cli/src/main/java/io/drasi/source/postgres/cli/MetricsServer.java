package io.drasi.source.postgres.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceMetrics;
import io.drasi.source.postgres.State;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code --metrics-port}: {@code GET /metrics} (Prometheus text from Micrometer's Prometheus registry, the source's
 * {@link PostgresSourceMetrics}) and {@code GET /health} (200 and {@code {"state":"RUNNING"}} while streaming, 503
 * with the state and the last error otherwise). One daemon thread; closed with the command.
 */
final class MetricsServer implements AutoCloseable {

    private final HttpServer server;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** @return a started server, or null when {@code port} is null */
    static MetricsServer start(Integer port, String host, PostgresReplicationSource source) throws IOException {
        if (port == null) {
            return null;
        }
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 0);
        MetricsServer m = new MetricsServer(http);
        new PostgresSourceMetrics(source).bindTo(m.registry);
        http.createContext("/metrics", ex -> m.respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                m.registry.scrape()));
        http.createContext("/health", ex -> {
            State s = source.state();
            String error = source.failure().map(Throwable::getMessage).orElse(null);
            String body = "{\"state\":\"" + s + "\",\"source\":\"" + json(source.id()) + "\""
                    + (error == null ? "" : ",\"error\":\"" + json(error) + "\"") + "}";
            m.respond(ex, s == State.RUNNING ? 200 : 503, "application/json", body);
        });
        http.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "drasi-pg-metrics");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        System.err.println("drasi-pg: metrics on http://" + host + ":" + http.getAddress().getPort()
                + "/metrics, health on /health");
        return m;
    }

    private void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}

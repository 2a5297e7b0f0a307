package io.drasi.source.postgres.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceMetrics;
import io.drasi.source.postgres.State;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The CLI's metrics: {@code --metrics-port} serves {@code GET /metrics} (Prometheus text from Micrometer's Prometheus
 * registry) and {@code GET /health} (200 and {@code {"state":"RUNNING"}} while streaming, 503 with the state and the
 * last error otherwise); {@code --jmx} registers the same meters as MBeans in the platform MBean server (domain
 * {@value #JMX_DOMAIN}, Micrometer's JMX registry). The meters are the source's {@link PostgresSourceMetrics} plus
 * any extra binder (the HTTP sink's). One daemon thread for HTTP; closed with the command.
 */
final class MetricsServer implements AutoCloseable {

    /** The JMX domain of the meters registered by {@code --jmx}. */
    static final String JMX_DOMAIN = "drasi";

    private final HttpServer server;
    private final List<MeterRegistry> registries;

    private MetricsServer(HttpServer server, List<MeterRegistry> registries) {
        this.server = server;
        this.registries = registries;
    }

    /**
     * @param extra more meters to expose (e.g. the HTTP sink's)
     * @return a started server, or null when neither {@code --metrics-port} nor {@code --jmx} was given
     */
    static MetricsServer start(MonitoringOptions options, PostgresReplicationSource source, MeterBinder... extra)
            throws IOException {
        if (options.port == null && !options.jmx) {
            return null;
        }
        List<MeterBinder> binders = new ArrayList<>(List.of(extra));
        binders.add(0, new PostgresSourceMetrics(source));
        List<MeterRegistry> registries = new ArrayList<>();
        HttpServer http = null;
        if (options.port != null) {
            PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            binders.forEach(b -> b.bindTo(prometheus));
            registries.add(prometheus);
            http = HttpServer.create(new InetSocketAddress(options.host, options.port), 0);
            http.createContext(
                    "/metrics",
                    ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus.scrape()));
            http.createContext("/health", ex -> {
                State s = source.state();
                String error = source.failure().map(Throwable::getMessage).orElse(null);
                String body = "{\"state\":\"" + s + "\",\"source\":\"" + json(source.id()) + "\""
                        + (error == null ? "" : ",\"error\":\"" + json(error) + "\"") + "}";
                respond(ex, s == State.RUNNING ? 200 : 503, "application/json", body);
            });
            http.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "drasi-pg-metrics");
                t.setDaemon(true);
                return t;
            }));
            http.start();
            System.err.println("drasi-pg: metrics on http://" + options.host + ":"
                    + http.getAddress().getPort() + "/metrics, health on /health");
        }
        if (options.jmx) {
            JmxMeterRegistry jmx = new JmxMeterRegistry(
                    new JmxConfig() {
                        @Override
                        public String get(String key) {
                            return null;
                        }

                        @Override
                        public String domain() {
                            return JMX_DOMAIN;
                        }
                    },
                    Clock.SYSTEM);
            binders.forEach(b -> b.bindTo(jmx));
            registries.add(jmx);
            System.err.println("drasi-pg: metrics registered as MBeans in JMX domain '" + JMX_DOMAIN + "'");
        }
        return new MetricsServer(http, registries);
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** @return {@code s} escaped for a JSON string literal (without the quotes) */
    private static String json(String s) {
        return new String(JsonStringEncoder.getInstance().quoteAsString(s));
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        registries.forEach(MeterRegistry::close);
    }
}

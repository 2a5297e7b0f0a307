package io.drasi.source.postgres.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drasi-pg stream --metrics-port}: Prometheus metrics after inserts, updates and deletes, and a health
 * endpoint that answers 503 while PostgreSQL is down and 200 once the source streams again, with the reconnect
 * counted (issue 19).
 */
@ExtendWith(PostgresExtension.class)
class MetricsEndpointTest {

    private static final Pattern PORT = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    @Test
    void stream_metricsPort_countsChangesAndHealthFollowsTheServer(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("cli_metrics");
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
        Path config = CliProcess.sourceYaml(
                tmp,
                db,
                "metrics-test",
                "s_cli_metrics",
                List.of("t"),
                "reconnectBackoffInitial: 200ms",
                "reconnectBackoffMax: 1s");
        CliProcess p = CliProcess.stream(tmp, config, "memory", "--metrics-port", "0");
        try {
            p.awaitStreaming();
            Matcher m = PORT.matcher(p.stderr());
            assertThat(m.find()).as(p.stderr()).isTrue();
            String base = "http://127.0.0.1:" + m.group(1);
            long ready = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            HttpResponse<String> health = get(base + "/health");
            while (health.statusCode() != 200 && System.nanoTime() < ready) { // 503 while STARTING
                assertThat(health.body()).contains("\"state\":\"STARTING\"");
                Thread.sleep(20);
                health = get(base + "/health");
            }
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(health.body()).contains("\"state\":\"RUNNING\"");

            db.execute(
                    "INSERT INTO t VALUES (1, 1), (2, 2)",
                    "UPDATE t SET v = 3 WHERE id = 1",
                    "DELETE FROM t WHERE id = 2");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (p.lines().size() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // the counters follow the acknowledgement, which comes just after the lines are written
            String metrics = get(base + "/metrics").body();
            while (!metrics.contains("drasi_source_changes_total{op=\"delete\",source=\"metrics-test\"} 1.0")
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
                metrics = get(base + "/metrics").body();
            }
            assertThat(metrics)
                    .contains("drasi_source_changes_total{op=\"insert\",source=\"metrics-test\"} 2.0")
                    .contains("drasi_source_changes_total{op=\"update\",source=\"metrics-test\"} 1.0")
                    .contains("drasi_source_changes_total{op=\"delete\",source=\"metrics-test\"} 1.0")
                    .contains("drasi_source_state{source=\"metrics-test\",state=\"RUNNING\"} 1.0")
                    .contains("drasi_source_transactions_total{source=\"metrics-test\"}")
                    .contains("drasi_source_lag_seconds{source=\"metrics-test\"}")
                    .contains("drasi_source_slot_retained_wal_bytes{source=\"metrics-test\"}")
                    .contains("drasi_source_bootstrap_rows_total{source=\"metrics-test\",table=\"t\"} 0.0");

            if (pg.canRestart()) {
                AtomicBoolean saw503 = new AtomicBoolean();
                Thread watcher = new Thread(() -> {
                    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (!saw503.get() && System.nanoTime() < until) {
                        try {
                            if (get(base + "/health").statusCode() == 503) {
                                saw503.set(true);
                            }
                            Thread.sleep(20);
                        } catch (Exception e) {
                            return;
                        }
                    }
                });
                watcher.start();
                pg.restart(PostgresServer.ShutdownMode.FAST);
                watcher.join(25_000);
                assertThat(saw503)
                        .as("/health answered 503 while PostgreSQL was down")
                        .isTrue();
                deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (get(base + "/health").statusCode() != 200 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(get(base + "/health").statusCode()).as(p.stderr()).isEqualTo(200);
                assertThat(get(base + "/metrics").body())
                        .containsPattern("drasi_source_reconnects_total\\{source=\"metrics-test\"\\} [1-9]");
            }
        } finally {
            p.process().destroy();
            p.await(Duration.ofSeconds(30));
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

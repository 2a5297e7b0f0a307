package io.drasi.source.postgres.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.PositionedChange;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HttpSinkMetricsTest {

    @Test
    void bindTo_retriesRefusalsAndSplits_countedByOutcomeInPrometheusForm() throws Exception {
        try (FakeDrasiHttpSource server = FakeDrasiHttpSource.start("pg-source");
                DrasiHttpSink sink = new DrasiHttpSink(HttpSinkConfig.builder(server.url())
                        .withMaxBatchEvents(40)
                        .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
                        .build())) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new HttpSinkMetrics(sink).bindTo(registry);
            String tag = "sink=\"" + server.url() + "\"";
            assertThat(registry.scrape())
                    .contains("drasi_sink_posts_total{outcome=\"acknowledged\"," + tag + "} 0.0")
                    .contains("drasi_sink_lag_seconds{" + tag + "} NaN")
                    .contains("drasi_sink_failed{" + tag + "} 0.0");

            server.enqueue(
                    new FakeDrasiHttpSource.Status(503, "down"),
                    new FakeDrasiHttpSource.Drop(),
                    new FakeDrasiHttpSource.Status(413, "too large"));
            List<PositionedChange> changes = TestChanges.stream(40);
            sink.accept(changes); // 503, dropped, 413 -> two halves of 20, both acknowledged

            String text = registry.scrape();
            assertThat(text)
                    .contains("drasi_sink_posts_total{outcome=\"acknowledged\"," + tag + "} 2.0")
                    .contains("drasi_sink_posts_total{outcome=\"retried\"," + tag + "} 2.0")
                    .contains("drasi_sink_posts_total{outcome=\"too_large\"," + tag + "} 1.0")
                    .contains("drasi_sink_posts_total{outcome=\"refused\"," + tag + "} 0.0")
                    .contains("drasi_sink_retries_total{" + tag + "} 2.0")
                    .contains("drasi_sink_events_total{" + tag + "} 40.0")
                    .contains("drasi_sink_pending_events{" + tag + "} 0.0")
                    .contains("drasi_sink_truncates_skipped_total{" + tag + "} 0.0");
            Matcher lag = Pattern.compile("drasi_sink_lag_seconds\\{" + Pattern.quote(tag) + "\\} ([0-9.E-]+)")
                    .matcher(text);
            assertThat(lag.find()).as(text).isTrue();
            assertThat(Double.parseDouble(lag.group(1))).isBetween(0.0, 60.0); // commit time of the test changes: now

            server.enqueue(new FakeDrasiHttpSource.Status(401, "{\"success\":false,\"message\":\"no\"}"));
            assertThatThrownBy(() -> sink.accept(TestChanges.stream(1))).isInstanceOf(HttpSinkException.class);
            assertThat(registry.scrape())
                    .contains("drasi_sink_posts_total{outcome=\"refused\"," + tag + "} 1.0")
                    .contains("drasi_sink_failed{" + tag + "} 1.0");
        }
    }
}

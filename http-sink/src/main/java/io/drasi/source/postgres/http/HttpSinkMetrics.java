package io.drasi.source.postgres.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * A Micrometer {@link MeterBinder} for one {@link DrasiHttpSink}: bind it to the host's registry (Prometheus, JMX,
 * ...) beside the source's {@code PostgresSourceMetrics}. Every meter is tagged {@code sink=<the sink's URL>} (the
 * URL never carries credentials: the config refuses user info). In Prometheus form:
 * <ul>
 *   <li>{@code drasi_sink_posts_total{outcome}} — POST attempts by outcome: {@code acknowledged} (2xx,
 *       {@code success: true}), {@code retried} (connection error, timeout, 5xx, 408/429, partial failure or
 *       {@code success: false}: posted again), {@code refused} (a status that is not retried; the source stops),
 *       {@code too_large} (413: split in halves, or refused when a single event)</li>
 *   <li>{@code drasi_sink_retries_total} — failed attempts that were retried (the {@code retried} outcome)</li>
 *   <li>{@code drasi_sink_events_total} — events the receiver acknowledged (a retried POST counts once)</li>
 *   <li>{@code drasi_sink_lag_seconds} — commit → acknowledged by the receiver: while a batch waits, the age of
 *       its oldest change (it grows during an outage); otherwise that of the last acknowledged change; NaN before
 *       the first</li>
 *   <li>{@code drasi_sink_pending_events} — events waiting for the receiver's acknowledgement (0 when idle)</li>
 *   <li>{@code drasi_sink_truncates_skipped_total} — TRUNCATEs skipped under {@link TruncatePolicy#SKIP}</li>
 *   <li>{@code drasi_sink_failed} — 1 once the sink gave up (refused, retries exhausted, closed while failing)</li>
 * </ul>
 * Micrometer is an optional dependency of this module: add {@code io.micrometer:micrometer-core} to use this class.
 *
 * <p>Thread-safety: the meters read the sink's atomic counters and {@link DrasiHttpSink#stats()} (both thread-safe).
 * Nullability: no argument may be null.
 */
public final class HttpSinkMetrics implements MeterBinder {

    private final DrasiHttpSink sink;

    /** @param sink the sink to observe */
    public HttpSinkMetrics(DrasiHttpSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("sink", sink.config().url().toString());
        counter(
                registry,
                "drasi.sink.posts",
                tags.and("outcome", "acknowledged"),
                s -> s.stats().postedRequests());
        counter(
                registry,
                "drasi.sink.posts",
                tags.and("outcome", "retried"),
                s -> s.stats().retries());
        counter(registry, "drasi.sink.posts", tags.and("outcome", "refused"), DrasiHttpSink::refusedPosts);
        counter(registry, "drasi.sink.posts", tags.and("outcome", "too_large"), DrasiHttpSink::tooLargePosts);
        counter(registry, "drasi.sink.retries", tags, s -> s.stats().retries());
        counter(registry, "drasi.sink.events", tags, s -> s.stats().postedEvents());
        counter(registry, "drasi.sink.truncates.skipped", tags, s -> s.stats().truncatesSkipped());
        Gauge.builder("drasi.sink.lag", sink, s -> {
                    long lag = s.stats().lagMillis();
                    return lag < 0 ? Double.NaN : lag / 1000.0;
                })
                .tags(tags)
                .baseUnit("seconds")
                .description("commit to acknowledgement by the receiver")
                .register(registry);
        Gauge.builder("drasi.sink.pending.events", sink, s -> s.stats().pendingEvents())
                .tags(tags)
                .description("events waiting for the receiver's acknowledgement")
                .register(registry);
        Gauge.builder("drasi.sink.failed", sink, s -> s.stats().failed() ? 1 : 0)
                .tags(tags)
                .description("1 once the sink gave up")
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, Tags tags, ToDoubleFunction<DrasiHttpSink> f) {
        FunctionCounter.builder(name, sink, f).tags(tags).register(registry);
    }
}

package io.drasi.source.postgres.engine;

import io.debezium.metrics.event.LagBehindSourceEvent;
import io.debezium.metrics.stats.LagBehindSourceMeasurement;
import io.debezium.metrics.stats.MeasurementCollector;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.meters.StreamingMeter;
import io.debezium.pipeline.metrics.DefaultStreamingChangeEventSourceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: Debezium's streaming metrics hand every event's "lag behind source" to a {@link MeasurementCollector},
 * whose own thread ({@code Thread-N}, unnamed, one per task) takes them from a queue with a 100 ms timeout, forever:
 * ten wake-ups a second on an idle source, and a queue hand-off per event while a backlog drains (the queue then
 * overflows and Debezium logs "queue is full" per event). The measurement itself is a few arithmetic operations
 * under a lock (percentile statistics only with Debezium's {@code advanced.metrics.enable}), so {@link #install}
 * gives the streaming meter a collector that applies it on the calling (decoding) thread, and stops Debezium's
 * publisher thread. The JMX attributes ({@code MilliSecondsBehindSource}, its min/max/average) keep their meaning and
 * are now exact rather than sampled.
 *
 * <p>Debezium offers no seam, so the field is set reflectively, as {@link CheapEventSummary} does; if that fails
 * (another Debezium version) one DEBUG line says so and Debezium's collector stays. {@code InlineLagMeasurementTest}
 * fails on such an upgrade.
 *
 * <p>Thread-safety: {@link #install} runs on the engine's task thread right after the task started. The decoding
 * thread may still hand a few events to Debezium's collector until it sees the new field value; they wait in that
 * collector's bounded queue, unread, and are dropped with it (a lag sample or two, nothing else).
 */
final class InlineLagMeasurement extends MeasurementCollector<LagBehindSourceEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(InlineLagMeasurement.class);

    private final LagBehindSourceMeasurement measurement;

    private InlineLagMeasurement(LagBehindSourceMeasurement measurement) {
        super(); // calls start(), overridden below: no thread
        this.measurement = measurement;
    }

    /**
     * Replaces the lag collector of the coordinator's streaming metrics.
     *
     * @return true when installed
     */
    static boolean install(ChangeEventSourceCoordinator<?, ?> coordinator) {
        try {
            Object metrics = CheapEventSummary.streamingMetrics(coordinator);
            if (!(metrics instanceof DefaultStreamingChangeEventSourceMetrics<?>)) {
                LOG.debug("Debezium's lag publisher thread kept: streaming metrics are {}", metrics);
                return false;
            }
            Object meter = CheapEventSummary.field(DefaultStreamingChangeEventSourceMetrics.class, "streamingMeter")
                    .get(metrics);
            if (!(meter instanceof StreamingMeter m)) {
                LOG.debug("Debezium's lag publisher thread kept: streaming meter is {}", meter);
                return false;
            }
            return replaceIn(m);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Debezium's lag publisher thread kept (this Debezium version differs): {}", e.toString());
            return false;
        }
    }

    /**
     * Gives {@code meter} an inline collector and stops the one it had (idempotent).
     *
     * @return true when the meter has an inline collector now
     */
    static boolean replaceIn(StreamingMeter meter) throws ReflectiveOperationException {
        var collectorField = CheapEventSummary.field(StreamingMeter.class, "measurementCollector");
        Object current = collectorField.get(meter);
        if (current instanceof InlineLagMeasurement) {
            return true;
        }
        Object measurement = CheapEventSummary.field(StreamingMeter.class, "lagBehindSourceMeasurement")
                .get(meter);
        if (!(current instanceof MeasurementCollector<?> old)
                || !(measurement instanceof LagBehindSourceMeasurement m)) {
            return false;
        }
        collectorField.set(meter, new InlineLagMeasurement(m));
        old.stop(); // ends Debezium's publisher thread
        return true;
    }

    @Override
    public void accept(LagBehindSourceEvent event) {
        measurement.accept(event);
    }

    @Override
    public void start() {
        // no publisher thread: accept() applies the measurement
    }

    @Override
    public void stop() {
        // nothing to stop
    }
}

package io.drasi.source.postgres.engine;

import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.metrics.PipelineMetrics;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.pipeline.txmetadata.TransactionInfo;
import io.debezium.spi.schema.DataCollectionId;
import java.lang.reflect.Field;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: Debezium's streaming metrics call {@link EventMetadataProvider#toSummaryString} for <b>every</b> event,
 * on the decoding thread, to keep the {@code LastEvent} JMX attribute: the event's key, value and offset rendered
 * through {@code SchemaUtil.asDetailedString}, which builds a Jackson {@code ObjectMapper} per event. While a backlog
 * drains that is ~20 % of the decoding thread's samples and much of its garbage (issue 19, docs/PERFORMANCE.md).
 * {@link #install} gives the streaming metrics' event meter a provider that delegates everything to Debezium's, except
 * that the summary is the event's table ({@code schema.table}, a string Debezium already holds). Every counter and
 * timestamp of Debezium's metrics is unchanged; {@code LastEvent} names the table of the last event.
 *
 * <p>Debezium offers no seam for it (the task builds its metrics factory and provider itself), so the field is set
 * reflectively; if that fails (another Debezium version) the source logs one DEBUG line and runs with Debezium's
 * summary, as before.
 *
 * <p>Thread-safety: {@link #install} runs on the engine's task thread right after the task started; the provider is
 * stateless.
 */
final class CheapEventSummary implements EventMetadataProvider {

    private static final Logger LOG = LoggerFactory.getLogger(CheapEventSummary.class);

    private final EventMetadataProvider delegate;

    private CheapEventSummary(EventMetadataProvider delegate) {
        this.delegate = delegate;
    }

    /**
     * Replaces the summary of the coordinator's streaming metrics.
     *
     * @return true when installed
     */
    static boolean install(ChangeEventSourceCoordinator<?, ?> coordinator) {
        try {
            Object metrics = streamingMetrics(coordinator);
            if (!(metrics instanceof PipelineMetrics<?>)) {
                LOG.debug("Debezium's per-event summary kept: streaming metrics are {}", metrics);
                return false;
            }
            Object meter = field(PipelineMetrics.class, "commonEventMeter").get(metrics);
            if (!(meter instanceof CommonEventMeter m)) {
                LOG.debug("Debezium's per-event summary kept: event meter is {}", meter);
                return false;
            }
            return replaceIn(m);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Debezium's per-event summary kept (this Debezium version differs): {}", e.toString());
            return false;
        }
    }

    /**
     * Gives {@code meter} this summary (idempotent).
     *
     * @return true when the meter has it now
     */
    static boolean replaceIn(CommonEventMeter meter) throws ReflectiveOperationException {
        Field provider = field(CommonEventMeter.class, "metadataProvider");
        Object current = provider.get(meter);
        if (current instanceof CheapEventSummary) {
            return true;
        }
        if (!(current instanceof EventMetadataProvider p)) {
            return false;
        }
        provider.set(meter, new CheapEventSummary(p));
        return true;
    }

    /** @return the coordinator's streaming metrics (Debezium keeps them in a protected field) */
    static Object streamingMetrics(ChangeEventSourceCoordinator<?, ?> coordinator) throws ReflectiveOperationException {
        return field(ChangeEventSourceCoordinator.class, "streamingMetrics").get(coordinator);
    }

    static Field field(Class<?> owner, String name) throws NoSuchFieldException {
        Field f = owner.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    @Override
    public String toSummaryString(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return source == null ? null : source.identifier();
    }

    @Override
    public Instant getEventTimestamp(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return delegate.getEventTimestamp(source, offset, key, value);
    }

    @Override
    public Map<String, String> getEventSourcePosition(
            DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return delegate.getEventSourcePosition(source, offset, key, value);
    }

    @Override
    public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return delegate.getTransactionId(source, offset, key, value);
    }

    @Override
    public TransactionInfo getTransactionInfo(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
        return delegate.getTransactionInfo(source, offset, key, value);
    }
}

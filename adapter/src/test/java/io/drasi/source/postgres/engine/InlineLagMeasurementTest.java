package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.metrics.stats.MeasurementCollector;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.meters.StreamingMeter;
import io.debezium.pipeline.metrics.DefaultStreamingChangeEventSourceMetrics;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.relational.TableId;
import io.debezium.spi.schema.DataCollectionId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class InlineLagMeasurementTest {

    /** Debezium's provider for an event committed {@code lagMs} ago. */
    private static EventMetadataProvider committedAgo(long lagMs) {
        return new EventMetadataProvider() {
            @Override
            public Instant getEventTimestamp(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
                return Instant.now().minusMillis(lagMs);
            }

            @Override
            public Map<String, String> getEventSourcePosition(
                    DataCollectionId source, OffsetContext offset, Object key, Struct value) {
                return Map.of();
            }

            @Override
            public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
                return null;
            }
        };
    }

    private static StreamingMeter meter(long lagMs) {
        PostgresConnectorConfig config = new PostgresConnectorConfig(Configuration.create()
                .with("topic.prefix", "t")
                .with("database.hostname", "localhost")
                .with("database.dbname", "db")
                .build());
        return new StreamingMeter(config, List::of, committedAgo(lagMs));
    }

    @Test
    void replaceIn_streamingMeter_lagAppliedOnTheCallingThreadAndPublisherThreadEnds() throws Exception {
        StreamingMeter meter = meter(60_000);
        Object old = CheapEventSummary.field(StreamingMeter.class, "measurementCollector")
                .get(meter);
        Thread publisher = (Thread) CheapEventSummary.field(MeasurementCollector.class, "publisherThread")
                .get(old);
        assertThat(publisher.isAlive()).isTrue();

        assertThat(InlineLagMeasurement.replaceIn(meter)).isTrue();
        assertThat(InlineLagMeasurement.replaceIn(meter)).isTrue(); // idempotent
        meter.start(); // Debezium's register(): must not start a thread
        meter.onEvent(new TableId(null, "public", "orders"), null, null, null);

        // no hand-off: the value is there as soon as onEvent returns
        assertThat(meter.getMilliSecondsBehindSource()).isBetween(60_000L, 70_000L);
        assertThat(meter.getMilliSecondsBehindSourceMaxValue()).isBetween(60_000L, 70_000L);
        publisher.join(5_000);
        assertThat(publisher.isAlive()).isFalse();
        meter.stop(); // Debezium's unregister(): nothing left to stop, no exception
        meter.reset();
        assertThat(meter.getMilliSecondsBehindSource()).isEqualTo(-1L);
    }

    /** A Debezium upgrade that renames these fields would silently bring the publisher thread back: fail here. */
    @Test
    void debeziumFields_onTheClassPath_found() throws Exception {
        assertThat(CheapEventSummary.field(ChangeEventSourceCoordinator.class, "streamingMetrics"))
                .isNotNull();
        assertThat(CheapEventSummary.field(DefaultStreamingChangeEventSourceMetrics.class, "streamingMeter"))
                .isNotNull();
        assertThat(CheapEventSummary.field(StreamingMeter.class, "measurementCollector"))
                .isNotNull();
        assertThat(CheapEventSummary.field(StreamingMeter.class, "lagBehindSourceMeasurement"))
                .isNotNull();
    }
}

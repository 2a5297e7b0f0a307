package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.data.Envelope;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.metrics.PipelineMetrics;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.relational.TableId;
import io.debezium.spi.schema.DataCollectionId;
import io.debezium.util.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class CheapEventSummaryTest {

    /** Debezium's provider, counting how often it renders a summary. */
    private static final class CountingProvider implements EventMetadataProvider {
        final AtomicInteger summaries = new AtomicInteger();

        @Override
        public Instant getEventTimestamp(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return Instant.EPOCH;
        }

        @Override
        public Map<String, String> getEventSourcePosition(
                DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return Map.of("lsn", "1");
        }

        @Override
        public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return "tx";
        }

        @Override
        public String toSummaryString(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            summaries.incrementAndGet();
            return "expensive";
        }
    }

    @Test
    void replaceIn_eventMeter_summaryIsTheTableAndCountersStayDebeziums() throws Exception {
        CountingProvider debeziums = new CountingProvider();
        CommonEventMeter meter = new CommonEventMeter(Clock.system(), debeziums);

        assertThat(CheapEventSummary.replaceIn(meter)).isTrue();
        assertThat(CheapEventSummary.replaceIn(meter)).isTrue(); // idempotent
        meter.onEvent(new TableId(null, "public", "orders"), null, null, null, Envelope.Operation.CREATE);
        meter.onEvent(new TableId(null, "public", "orders"), null, null, null, Envelope.Operation.UPDATE);

        assertThat(debeziums.summaries).hasValue(0);
        assertThat(meter.getLastEvent()).isEqualTo("public.orders");
        assertThat(meter.getTotalNumberOfEventsSeen()).isEqualTo(2);
        assertThat(meter.getTotalNumberOfCreateEventsSeen()).isEqualTo(1);
        assertThat(meter.getTotalNumberOfUpdateEventsSeen()).isEqualTo(1);
    }

    @Test
    void replaceIn_otherCalls_delegatedToDebeziumsProvider() throws Exception {
        CountingProvider debeziums = new CountingProvider();
        CommonEventMeter meter = new CommonEventMeter(Clock.system(), debeziums);
        CheapEventSummary.replaceIn(meter);

        EventMetadataProvider installed =
                (EventMetadataProvider) CheapEventSummary.field(CommonEventMeter.class, "metadataProvider")
                        .get(meter);

        assertThat(installed).isInstanceOf(CheapEventSummary.class);
        assertThat(installed.getTransactionId(null, null, null, null)).isEqualTo("tx");
        assertThat(installed.getEventSourcePosition(null, null, null, null)).containsEntry("lsn", "1");
        assertThat(installed.getEventTimestamp(null, null, null, null)).isEqualTo(Instant.EPOCH);
    }

    /** A Debezium upgrade that renames these fields would silently bring the per-event summary back: fail here. */
    @Test
    void debeziumFields_onTheClassPath_found() throws Exception {
        assertThat(CheapEventSummary.field(ChangeEventSourceCoordinator.class, "streamingMetrics"))
                .isNotNull();
        assertThat(CheapEventSummary.field(PipelineMetrics.class, "commonEventMeter"))
                .isNotNull();
        assertThat(CheapEventSummary.field(CommonEventMeter.class, "metadataProvider"))
                .isNotNull();
    }
}

package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.engine.RecordChangeEvent;
import io.drasi.source.postgres.mapping.DebeziumFixtures;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class PolledBatchTest {

    // transaction and heartbeat records: a batch's content does not matter to it
    private final SourceRecord first = DebeziumFixtures.txBegin(1, 0x100L, 1L);
    private final SourceRecord end = DebeziumFixtures.txEnd(1, 0x1F0L, 1L);
    private final SourceRecord heartbeat = DebeziumFixtures.heartbeat(2L);

    @Test
    void asOne_twoOrMoreRecords_oneBatchWithTheLastRecordsPosition() {
        List<SourceRecord> one = PolledBatch.asOne(List.of(first, end, heartbeat));

        assertThat(one).hasSize(1);
        PolledBatch b = (PolledBatch) one.get(0);
        assertThat(b.records()).containsExactly(first, end, heartbeat);
        assertThat(b.sourcePartition()).isEqualTo(heartbeat.sourcePartition());
        assertThat(b.sourceOffset()).isEqualTo(heartbeat.sourceOffset()).isNotEqualTo(first.sourceOffset());
        assertThat(b.topic()).isEqualTo(heartbeat.topic());
        assertThat(b.value()).isNull();
        assertThat(b.toString()).startsWith("PolledBatch{3 records, last offset ");
    }

    @Test
    void asOne_fewerThanTwoRecords_sameList() {
        List<SourceRecord> single = List.of(first);
        assertThat(PolledBatch.asOne(single)).isSameAs(single);
        assertThat(PolledBatch.asOne(List.of())).isEmpty();
    }

    @Test
    void records_batchesAndPlainRecordsMixed_flattenedInOrder() {
        List<RecordChangeEvent<SourceRecord>> events = List.of(
                () -> new PolledBatch(List.of(first, end)),
                () -> heartbeat,
                () -> new PolledBatch(List.of(end, first)));

        assertThat(PolledBatch.records(events)).containsExactly(first, end, heartbeat, end, first);
        assertThat(PolledBatch.records(List.of(() -> new PolledBatch(List.of(first, end)))))
                .containsExactly(first, end);
        assertThat(PolledBatch.records(List.of(() -> first))).containsExactly(first);
    }

    @Test
    void unwrap_oneBatch_itsRecords_otherwiseSameList() {
        assertThat(PolledBatch.unwrap(PolledBatch.asOne(List.of(first, end)))).containsExactly(first, end);
        List<SourceRecord> plain = List.of(first, end);
        assertThat(PolledBatch.unwrap(plain)).isSameAs(plain);
    }
}

package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.engine.RecordChangeEvent;
import io.drasi.source.postgres.mapping.DebeziumFixtures;
import io.drasi.source.postgres.mapping.DebeziumFixtures.Table;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class PolledBatchTest {

    private static final Table USERS = DebeziumFixtures.table(
            "public",
            "users",
            DebeziumFixtures.rowBuilder("public", "users")
                    .field("id", Schema.INT32_SCHEMA)
                    .build(),
            "id");

    private final SourceRecord insert = USERS.insert(USERS.row("id", 1));
    private final SourceRecord end = DebeziumFixtures.txEnd(1, 0x1F0L, 1L);
    private final SourceRecord heartbeat = DebeziumFixtures.heartbeat(2L);

    @Test
    void asOne_twoOrMoreRecords_oneBatchWithTheLastRecordsPosition() {
        List<SourceRecord> one = PolledBatch.asOne(List.of(insert, end, heartbeat));

        assertThat(one).hasSize(1);
        PolledBatch b = (PolledBatch) one.get(0);
        assertThat(b.records()).containsExactly(insert, end, heartbeat);
        assertThat(b.sourcePartition()).isEqualTo(heartbeat.sourcePartition());
        assertThat(b.sourceOffset()).isEqualTo(heartbeat.sourceOffset());
        assertThat(b.topic()).isEqualTo(heartbeat.topic());
        assertThat(b.value()).isNull();
        assertThat(b.toString()).startsWith("PolledBatch{3 records, last offset ");
    }

    @Test
    void asOne_fewerThanTwoRecords_sameList() {
        List<SourceRecord> single = List.of(insert);
        assertThat(PolledBatch.asOne(single)).isSameAs(single);
        assertThat(PolledBatch.asOne(List.of())).isEmpty();
    }

    @Test
    void records_batchesAndPlainRecordsMixed_flattenedInOrder() {
        List<RecordChangeEvent<SourceRecord>> events = List.of(
                () -> new PolledBatch(List.of(insert, end)),
                () -> heartbeat,
                () -> new PolledBatch(List.of(end, insert)));

        assertThat(PolledBatch.records(events)).containsExactly(insert, end, heartbeat, end, insert);
        assertThat(PolledBatch.records(List.of(() -> new PolledBatch(List.of(insert, end)))))
                .containsExactly(insert, end);
        assertThat(PolledBatch.records(List.of(() -> insert))).containsExactly(insert);
    }

    @Test
    void unwrap_oneBatch_itsRecords_otherwiseSameList() {
        assertThat(PolledBatch.unwrap(PolledBatch.asOne(List.of(insert, end)))).containsExactly(insert, end);
        List<SourceRecord> plain = List.of(insert, end);
        assertThat(PolledBatch.unwrap(plain)).isSameAs(plain);
    }
}

package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.mapping.DebeziumFixtures;
import io.drasi.source.postgres.mapping.DebeziumFixtures.Table;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class WakeOnDataPostgresTaskTest {

    private static final Table USERS = DebeziumFixtures.table(
            "public",
            "users",
            DebeziumFixtures.rowBuilder("public", "users")
                    .field("id", Schema.INT32_SCHEMA)
                    .build(),
            "id");

    @Test
    void containsChangeDataMessages_changeInsideAPolledBatch_true() {
        WakeOnDataPostgresTask task = new WakeOnDataPostgresTask();
        SourceRecord insert = USERS.insert(USERS.row("id", 1));
        SourceRecord end = DebeziumFixtures.txEnd(1, 0x1F0L, 1L);

        assertThat(task.containsChangeDataMessages(PolledBatch.asOne(List.of(insert, end))))
                .isTrue();
        assertThat(task.containsChangeDataMessages(PolledBatch.asOne(List.of(end, DebeziumFixtures.heartbeat(2L)))))
                .isFalse();
    }
}

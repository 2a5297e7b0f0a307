package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationMessage.Operation;
import io.debezium.connector.postgresql.connection.TransactionMessage;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.MappedRecord;
import io.drasi.source.postgres.mapping.TableKeys;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link CommitMarkers} on Debezium's own offset context: a COMMIT Debezium processed gets one END record with the
 * offset after the commit; a COMMIT only read (the resume search after a restart) gets none.
 */
class CommitMarkersTest {

    private static final Map<String, String> PARTITION = Map.of("server", "t");

    private final PostgresOffsetContext context = new PostgresOffsetContext.Loader(
                    new PostgresConnectorConfig(Configuration.create()
                            .with("topic.prefix", "t")
                            .with("database.hostname", "localhost")
                            .with("database.dbname", "db")
                            .build()))
            .load(Map.of("lsn", 0x100L, "lsn_proc", 0x100L, "lsn_commit", 0x90L, "txId", 6L, "ts_usec", 1L));
    private final List<SourceRecord> queued = new ArrayList<>();
    private final CommitMarkers markers = new CommitMarkers(PARTITION, "t.transaction", new CommitMarkers.Target() {
        @Override
        public PostgresOffsetContext offsetContext() {
            return context;
        }

        @Override
        public void enqueue(SourceRecord marker) {
            queued.add(marker);
        }
    });

    /** What Debezium does to the offset context when it processes a COMMIT at {@code lsn}. */
    private void debeziumProcessesCommit(long lsn, long txId, Instant commitTime) {
        Lsn at = Lsn.valueOf(lsn);
        context.updateWalPosition(at, at, commitTime, txId, null, null, Operation.COMMIT);
        context.updateCommitPosition(at, at);
    }

    @Test
    void afterCommit_processedByDebezium_queuesOneEndRecordWithTheOffsetAfterTheCommit() throws Exception {
        TransactionMessage commit = new TransactionMessage(Operation.COMMIT, 7L, Instant.ofEpochMilli(1_234));
        Lsn before = markers.commitLsnBefore();
        debeziumProcessesCommit(0x200L, 7L, commit.getCommitTime());
        markers.afterCommit(commit, before);

        assertThat(queued).hasSize(1);
        SourceRecord marker = queued.get(0);
        assertThat(marker.sourcePartition()).isEqualTo(PARTITION);
        assertThat(marker.sourceOffset()).isEqualTo(context.getOffset());
        assertThat(marker.sourceOffset().get("lsn_commit")).isEqualTo(0x200L);
        MappedRecord m = new ChangeMapper("s", TableKeys.of(Map.of()), PgValueConverter.DEFAULT).map(marker);
        assertThat(m.kind()).isEqualTo(MappedRecord.Kind.TX_END);
        assertThat(m.txId()).isEqualTo(7L);
        assertThat(m.tsMs()).isEqualTo(1_234L);
        assertThat(m.commitLsn()).isEqualTo(0x200L);
    }

    @Test
    void afterCommit_onlyRead_resumeSearch_queuesNothing() throws Exception {
        TransactionMessage commit = new TransactionMessage(Operation.COMMIT, 6L, Instant.ofEpochMilli(1_000));
        Lsn before = markers.commitLsnBefore();
        markers.afterCommit(commit, before); // Debezium's search for the resume position leaves the context alone

        assertThat(queued).isEmpty();
    }

    @Test
    void supported_thisDebeziumVersion_true() {
        assertThat(CommitMarkers.supported())
                .as("Debezium's task keeps its queue in the field CommitMarkers reads; else the engine falls back"
                        + " to Debezium's transaction metadata")
                .isTrue();
    }
}

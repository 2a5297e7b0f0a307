package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.DebeziumFixtures;
import io.drasi.source.postgres.mapping.TableKeys;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.TableId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Positions, acknowledgement order and the stop gate of the batch handler, on Debezium-shaped records. */
class BatchHandlerTest {

    private static final Lsn RESUME = Lsn.of(0x100L);

    private final DebeziumFixtures.Table users = DebeziumFixtures.table(
            "public",
            "users",
            DebeziumFixtures.rowBuilder("public", "users")
                    .field("id", Schema.INT32_SCHEMA)
                    .field("name", Schema.OPTIONAL_STRING_SCHEMA)
                    .build(),
            "id");
    private final List<List<PositionedChange>> delivered = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    @Test
    void handleBatch_changesAndCommit_positionsFollowTheWal() throws Exception {
        BatchHandler h = handler(batch -> delivered.add(batch));
        Recorder committer = new Recorder();

        h.handleBatch(events(transaction700().toArray(SourceRecord[]::new)), committer);

        assertThat(delivered).hasSize(1);
        List<ChangePosition> positions =
                delivered.get(0).stream().map(PositionedChange::position).toList();
        // the fixture's sequence names lsn - 8 as the previous commit
        assertThat(positions)
                .containsExactly(
                        new ChangePosition(700, Lsn.of(0x2000 - 8), Lsn.of(0x2000), 0),
                        new ChangePosition(700, Lsn.of(0x2100 - 8), Lsn.of(0x2100), 0));
        assertThat(positions.get(1)).isGreaterThan(positions.get(0));
        assertThat(events).containsExactly("accept 2", "commit 700 0/2200");
        assertThat(committer.log).containsExactly("processed", "processed", "processed", "batchFinished");
    }

    @Test
    void handleBatch_onePolledBatch_deliversItsRecordsAndMarksItOnce() throws Exception {
        BatchHandler h = handler(batch -> delivered.add(batch));
        Recorder committer = new Recorder();

        h.handleBatch(events(new PolledBatch(transaction700())), committer);

        assertThat(delivered).hasSize(1);
        assertThat(delivered.get(0).stream().map(PositionedChange::position).toList())
                .containsExactly(
                        new ChangePosition(700, Lsn.of(0x2000 - 8), Lsn.of(0x2000), 0),
                        new ChangePosition(700, Lsn.of(0x2100 - 8), Lsn.of(0x2100), 0));
        assertThat(events).containsExactly("accept 2", "commit 700 0/2200");
        assertThat(committer.log).containsExactly("processed", "batchFinished"); // the batch carries the last offset
    }

    @Test
    void handleBatch_sameLsnTwice_ordinalCounts() throws Exception {
        BatchHandler h = handler(batch -> delivered.add(batch));
        users.lsn = 0x3000;
        List<SourceRecord> keyChange =
                users.keyChangePair(users.row("id", 1, "name", "a"), users.row("id", 2, "name", "a"));

        h.handleBatch(events(keyChange.toArray(SourceRecord[]::new)), new Recorder());

        List<PositionedChange> batch = delivered.get(0);
        assertThat(batch).extracting(p -> p.change().getClass().getSimpleName()).containsExactly("Delete", "Insert");
        assertThat(batch).extracting(p -> p.position().ordinal()).containsExactly(0L, 1L);
        assertThat(batch.get(1).position()).isGreaterThan(batch.get(0).position());
    }

    @Test
    void previousCommitLsn_sequenceForms_parsed() {
        assertThat(BatchHandler.previousCommitLsn("[\"100\",\"200\"]")).isEqualTo(Lsn.of(100));
        assertThat(BatchHandler.previousCommitLsn("[null,\"200\"]")).isEqualTo(Lsn.INVALID);
        assertThat(BatchHandler.previousCommitLsn(null)).isEqualTo(Lsn.INVALID);
        assertThat(BatchHandler.previousCommitLsn("garbage")).isEqualTo(Lsn.INVALID);
    }

    @Test
    void handleBatch_noPreviousCommit_resumeLsnStandsIn() throws Exception {
        BatchHandler h = handler(batch -> delivered.add(batch));
        users.lsn = 0x4000;
        SourceRecord r = users.insert(users.row("id", 3, "name", "c"));
        ((org.apache.kafka.connect.data.Struct) r.value()).getStruct("source").put("sequence", "[null,\"16384\"]");

        h.handleBatch(events(r), new Recorder());

        assertThat(delivered.get(0).get(0).position().previousCommitLsn()).isEqualTo(RESUME);
    }

    @Test
    void handleBatch_sinkThrows_nothingAcknowledged() {
        BatchHandler h = handler(batch -> {
            throw new IllegalStateException("refused");
        });
        Recorder committer = new Recorder();

        assertThatThrownBy(() -> h.handleBatch(events(users.insert(users.row("id", 1, "name", "a"))), committer))
                .hasMessageContaining("refused")
                .hasMessageContaining("not acknowledged");
        assertThat(committer.log).isEmpty();
    }

    @Test
    void handleBatch_onlyHeartbeat_sinkNotCalledButRecordsMarked() throws Exception {
        BatchHandler h = handler(batch -> delivered.add(batch));
        Recorder committer = new Recorder();

        h.handleBatch(events(DebeziumFixtures.heartbeat(1L)), committer);

        assertThat(delivered).isEmpty();
        assertThat(committer.log).containsExactly("processed", "batchFinished");
    }

    @Test
    void quiesce_afterRefusal_newBatchWaitsUntilInterruptedAndAcknowledgesNothing() throws Exception {
        BatchHandler h = handler(batch -> delivered.add(batch));
        assertThat(h.quiesce(Duration.ofMillis(10))).isTrue();
        Recorder committer = new Recorder();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread poller = new Thread(
                () -> {
                    try {
                        h.handleBatch(events(users.insert(users.row("id", 1, "name", "a"))), committer);
                    } catch (Throwable t) {
                        outcome.set(t);
                    } finally {
                        done.countDown();
                    }
                },
                "test-poller");
        poller.start();

        assertThat(done.await(200, TimeUnit.MILLISECONDS))
                .as("a batch after the stop began waits")
                .isFalse();
        poller.interrupt(); // what Debezium's close does to its polling thread
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(delivered).isEmpty();
        assertThat(committer.log).isEmpty();
    }

    @Test
    void quiesce_batchInFlight_waitsForItsAcknowledgement() throws Exception {
        CountDownLatch inSink = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BatchHandler h = handler(batch -> {
            inSink.countDown();
            release.await();
            delivered.add(batch);
        });
        Recorder committer = new Recorder();
        Thread poller = new Thread(
                () -> {
                    try {
                        h.handleBatch(events(users.insert(users.row("id", 1, "name", "a"))), committer);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "test-poller");
        poller.start();
        assertThat(inSink.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(h.quiesce(Duration.ofMillis(100)))
                .as("the sink has not returned")
                .isFalse();
        release.countDown();
        assertThat(h.quiesce(Duration.ofSeconds(5))).isTrue();
        poller.join(5_000);
        assertThat(committer.log).containsExactly("processed", "batchFinished");
    }

    private interface Sink {
        void accept(List<PositionedChange> batch) throws Exception;
    }

    private BatchHandler handler(Sink sink) {
        PostgresSourceConfig config = PostgresSourceConfig.builder()
                .withDatabase("d")
                .withUser("u")
                .withTables(List.of("users"))
                .withInMemoryOffsets()
                .build();
        ConnectionSettings unused = Connections.settings("test", config); // the fillers connect lazily: never here
        PgValueConverter converter = Mapping.converter(config, e -> {});
        List<Preflight.ResolvedTable> tables =
                List.of(new Preflight.ResolvedTable(TableId.of("public", "users"), List.of("id"), List.of("id"), 'd'));
        ChangeMapper mapper =
                new ChangeMapper("src", TableKeys.of(Map.of(TableId.of("public", "users"), List.of("id"))), converter);
        return new BatchHandler(
                mapper,
                new io.drasi.source.postgres.ChangeSink() {
                    @Override
                    public void accept(List<PositionedChange> changes) throws Exception {
                        events.add("accept " + changes.size());
                        sink.accept(changes);
                    }

                    @Override
                    public void onCommit(long txId, Lsn commitEndLsn) {
                        events.add("commit " + txId + " " + commitEndLsn);
                    }
                },
                new ToastFiller(unused, converter, tables),
                new GeneratedColumnFiller(unused, config, converter, tables, false),
                new StatsCounter(Clock.systemUTC()),
                RESUME,
                () -> {},
                "test-ack",
                null);
    }

    /** Transaction 700: an insert at 0/2000, an update at 0/2100, its end at 0/2200. */
    private List<SourceRecord> transaction700() {
        users.txId = 700;
        users.lsn = 0x2000;
        SourceRecord first = users.insert(users.row("id", 1, "name", "a"));
        users.lsn = 0x2100;
        SourceRecord second = users.update(users.row("id", 1, "name", "a"), users.row("id", 1, "name", "b"));
        return List.of(first, second, DebeziumFixtures.txEnd(700, 0x2200, 1L));
    }

    private static List<RecordChangeEvent<SourceRecord>> events(SourceRecord... records) {
        List<RecordChangeEvent<SourceRecord>> out = new ArrayList<>();
        for (SourceRecord r : records) {
            out.add(() -> r);
        }
        return out;
    }

    /** Records what the handler acknowledges, in order. */
    private static final class Recorder implements DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> {
        final List<String> log = new ArrayList<>();

        @Override
        public void markProcessed(RecordChangeEvent<SourceRecord> record) {
            log.add("processed");
        }

        @Override
        public void markBatchFinished() {
            log.add("batchFinished");
        }

        @Override
        public void markProcessed(RecordChangeEvent<SourceRecord> record, DebeziumEngine.Offsets sourceOffsets) {
            log.add("processed");
        }

        @Override
        public DebeziumEngine.Offsets buildOffsets() {
            return null;
        }
    }
}

package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import io.debezium.connector.postgresql.connection.WalPositionLocator;
import io.debezium.connector.postgresql.spi.SlotCreationResult;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The stream wrapper without a server: fallback when the socket is unreachable, and what it tells the gate. */
class WaitingReplicationConnectionTest {

    private final PollGate gate = new PollGate(1000, 0, 3, 100);
    private final AtomicBoolean warned = new AtomicBoolean();
    private final FakeStream stream = new FakeStream();

    @Test
    void startStreaming_notAJdbcConnection_fallsBackWarnsOnceAndActivatesTheGate() throws Exception {
        WaitingReplicationConnection c = new WaitingReplicationConnection(new FakeConnection(stream), gate, 500, 1, warned);
        WaitingReplicationConnection.WaitingStream first = (WaitingReplicationConnection.WaitingStream) c.startStreaming(null);
        assertThat(first.waitsOnSocket()).isFalse();
        assertThat(warned).isTrue();
        assertThat(gate.next()).isEqualTo(PollGate.Step.POLL);
        gate.afterPoll(0);
        assertThat(gate.next()).as("active after the first stream started").isEqualTo(PollGate.Step.AWAIT_DATA);
        warned.set(false);
        new WaitingReplicationConnection(new FakeConnection(stream), gate, 500, 1, new AtomicBoolean(true)).startStreaming(null);
        assertThat(warned).as("a connection of the same task does not warn again").isFalse();
    }

    @Test
    void startStreaming_switchedOff_fallsBack() throws Exception {
        String before = System.getProperty(ReplicationSocket.SWITCH);
        System.setProperty(ReplicationSocket.SWITCH, "false");
        try {
            assertThatThrownBy(() -> ReplicationSocket.of(new FakeConnection(stream)))
                    .isInstanceOf(ReplicationSocket.Unreachable.class).hasMessageContaining(ReplicationSocket.SWITCH);
        } finally {
            if (before == null) {
                System.clearProperty(ReplicationSocket.SWITCH);
            } else {
                System.setProperty(ReplicationSocket.SWITCH, before);
            }
        }
    }

    @Test
    void readPending_messageRead_signalsTheGate_emptyReadDoesNot() throws Exception {
        ReplicationStream s = new WaitingReplicationConnection(new FakeConnection(stream), gate, 500, 1, warned)
                .startStreaming(null);
        stream.results.add(false);
        stream.results.add(true);
        assertThat(s.readPending(m -> { })).isFalse();
        assertThat(gate.reads()).isZero();
        assertThat(s.readPending(m -> { })).isTrue();
        assertThat(gate.reads()).isEqualTo(1);
    }

    @Test
    void readPending_readFails_signalsTheGateAndRethrows() throws Exception {
        ReplicationStream s = new WaitingReplicationConnection(new FakeConnection(stream), gate, 500, 1, warned)
                .startStreaming(null);
        stream.failure = new SQLException("connection lost");
        assertThat(gate.waitBoundMs()).isEqualTo(1000);
        assertThatThrownBy(() -> s.readPending(m -> { })).isSameAs(stream.failure);
        assertThat(gate.waitBoundMs()).as("the polling thread must see the producer failure at once")
                .isEqualTo(PollGate.FAILING_WAIT_MS);
    }

    private static final class FakeConnection implements ReplicationConnection {
        private final ReplicationStream stream;

        FakeConnection(ReplicationStream stream) {
            this.stream = stream;
        }

        @Override
        public ReplicationStream startStreaming(WalPositionLocator walPosition) {
            return stream;
        }

        @Override
        public ReplicationStream startStreaming(Lsn offset, WalPositionLocator walPosition) {
            return stream;
        }

        @Override
        public Optional<SlotCreationResult> createReplicationSlot() {
            return Optional.empty();
        }

        @Override
        public void initConnection() {
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public void reconnect() {
        }

        @Override
        public void close() {
        }
    }

    private static final class FakeStream implements ReplicationStream {
        final Deque<Boolean> results = new ArrayDeque<>();
        SQLException failure;

        @Override
        public void read(ReplicationMessageProcessor processor) {
        }

        @Override
        public boolean readPending(ReplicationMessageProcessor processor) throws SQLException {
            if (failure != null) {
                throw failure;
            }
            return results.isEmpty() ? false : results.poll();
        }

        @Override
        public void flushLsn(Lsn lsn) {
        }

        @Override
        public Lsn lastReceivedLsn() {
            return null;
        }

        @Override
        public Lsn startLsn() {
            return null;
        }

        @Override
        public void startKeepAlive(ExecutorService service) {
        }

        @Override
        public void stopKeepAlive() {
        }

        @Override
        public void close() {
        }
    }
}

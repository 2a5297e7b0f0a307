package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.connector.postgresql.connection.Lsn;
import io.debezium.connector.postgresql.connection.ReplicationConnection;
import io.debezium.connector.postgresql.connection.ReplicationMessage;
import io.debezium.connector.postgresql.connection.ReplicationMessage.Operation;
import io.debezium.connector.postgresql.connection.ReplicationStream;
import io.debezium.connector.postgresql.connection.WalPositionLocator;
import io.debezium.connector.postgresql.spi.SlotCreationResult;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The stream wrapper without a server: fallback when the socket is unreachable, and what it tells the gate. */
class WaitingReplicationConnectionTest {

    private final PollGate gate = new PollGate(1000, 0, 100);
    private final AtomicBoolean warned = new AtomicBoolean();
    private final FakeStream stream = new FakeStream();

    @Test
    void startStreaming_notAJdbcConnection_fallsBackWarnsOnceAndActivatesTheGate() throws Exception {
        WaitingReplicationConnection c = connection(500, 5000);
        assertThat(gate.next(System.nanoTime()))
                .as("inactive before a stream started")
                .isEqualTo(PollGate.Step.POLL);
        WaitingReplicationConnection.WaitingStream first =
                (WaitingReplicationConnection.WaitingStream) c.startStreaming(null);
        assertThat(first.waitsOnSocket()).isFalse();
        assertThat(warned).isTrue();
        assertThat(gate.next(System.nanoTime()))
                .as("active after the first stream started")
                .isEqualTo(PollGate.Step.AWAIT_DATA);
        warned.set(false);
        new WaitingReplicationConnection(
                        new FakeConnection(stream),
                        gate,
                        new WaitingReplicationConnection.Waits(3, 500, 5000, 1, new AtomicBoolean(true)),
                        null)
                .startStreaming(null);
        assertThat(warned)
                .as("a connection of the same task does not warn again")
                .isFalse();
    }

    @Test
    void startStreaming_switchedOff_fallsBack() throws Exception {
        String before = System.getProperty(ReplicationSocket.SWITCH);
        System.setProperty(ReplicationSocket.SWITCH, "false");
        try {
            assertThatThrownBy(() -> ReplicationSocket.of(new FakeConnection(stream)))
                    .isInstanceOf(ReplicationSocket.Unreachable.class)
                    .hasMessageContaining(ReplicationSocket.SWITCH);
        } finally {
            if (before == null) {
                System.clearProperty(ReplicationSocket.SWITCH);
            } else {
                System.setProperty(ReplicationSocket.SWITCH, before);
            }
        }
    }

    @Test
    void readPending_transaction_signalsTheGateAtItsCommitOnly() throws Exception {
        ReplicationStream s = connection(500, 5000).startStreaming(null);
        List<Operation> seen = new ArrayList<>();
        stream.reads.add(List.of());
        stream.reads.add(List.of(message(Operation.BEGIN, false)));
        stream.reads.add(List.of(message(Operation.INSERT, false)));
        stream.reads.add(List.of(message(Operation.COMMIT, false)));
        stream.reads.add(List.of(message(Operation.MESSAGE, false)));
        stream.reads.add(List.of(message(Operation.MESSAGE, true)));
        assertThat(s.readPending(m -> seen.add(m.getOperation())))
                .as("empty read")
                .isFalse();
        assertThat(s.readPending(m -> seen.add(m.getOperation()))).isTrue();
        assertThat(s.readPending(m -> seen.add(m.getOperation()))).isTrue();
        assertThat(gate.reads()).as("inside the transaction").isZero();
        s.readPending(m -> seen.add(m.getOperation()));
        assertThat(gate.reads()).as("at its COMMIT").isEqualTo(1);
        s.readPending(m -> seen.add(m.getOperation()));
        assertThat(gate.reads()).as("a non-transactional message (heartbeat)").isEqualTo(2);
        s.readPending(m -> seen.add(m.getOperation()));
        assertThat(gate.reads()).as("a transactional message").isEqualTo(2);
        assertThat(seen)
                .as("every message reaches Debezium's processor")
                .containsExactly(
                        Operation.BEGIN, Operation.INSERT, Operation.COMMIT, Operation.MESSAGE, Operation.MESSAGE);
    }

    @Test
    void readPending_largeTransaction_signalsEveryBatchSizeMessages() throws Exception {
        ReplicationStream s = connection(500, 5000).startStreaming(null);
        stream.reads.add(List.of(message(Operation.BEGIN, false)));
        for (int i = 0; i < 5; i++) {
            stream.reads.add(List.of(message(Operation.INSERT, false)));
        }
        for (int i = 0; i < 6; i++) {
            s.readPending(m -> {});
        }
        assertThat(gate.reads()).as("6 messages, batch size 3").isEqualTo(2);
    }

    @Test
    void readPending_readFails_signalsTheGateAndRethrows() throws Exception {
        ReplicationStream s = connection(500, 5000).startStreaming(null);
        stream.failure = new SQLException("connection lost");
        assertThat(gate.waitBoundMs()).isEqualTo(1000);
        assertThatThrownBy(() -> s.readPending(m -> {})).isSameAs(stream.failure);
        assertThat(gate.waitBoundMs())
                .as("the polling thread must see the producer failure at once")
                .isEqualTo(PollGate.FAILING_WAIT_MS);
    }

    @Test
    void readPending_idleSocket_keepsWaitingAndCallsPgjdbcOnlyEveryIdleReadInterval() throws Exception {
        AtomicInteger waits = new AtomicInteger();
        ReplicationStream s = socketStream(200, timeoutMs -> {
            waits.incrementAndGet();
            sleepMs(timeoutMs);
            return false;
        });

        long t0 = System.nanoTime();
        assertThat(s.readPending(m -> {})).isFalse();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        assertThat(elapsedMs).as("one readPending waits the idle read interval").isBetween(150L, 2_000L);
        assertThat(waits.get()).as("in socket-wait slices").isGreaterThan(10);
        assertThat(stream.readCalls)
                .as("pgjdbc's read (status update) once per interval, not after every empty slice")
                .isEqualTo(1);
    }

    @Test
    void readPending_gateClosesWhileIdle_returnsWithinASliceWithoutReading() throws Exception {
        AtomicInteger waits = new AtomicInteger();
        ReplicationStream s = socketStream(60_000, timeoutMs -> {
            if (waits.incrementAndGet() == 3) {
                gate.close(); // the source stops
            }
            return false;
        });

        assertThat(s.readPending(m -> {})).isFalse();
        assertThat(waits.get()).isEqualTo(3);
        assertThat(stream.readCalls).isZero();
    }

    @Test
    void readPending_dataArrivesDuringTheWait_readsAtOnce() throws Exception {
        AtomicInteger waits = new AtomicInteger();
        ReplicationStream s = socketStream(60_000, timeoutMs -> waits.incrementAndGet() == 4);
        stream.reads.add(List.of(message(Operation.MESSAGE, false)));

        assertThat(s.readPending(m -> {})).isTrue();
        assertThat(waits.get()).isEqualTo(4);
        assertThat(stream.readCalls).isEqualTo(1);
    }

    /** A stream on {@link #stream} that waits in 1 ms slices on {@code socket}, with this idle read interval. */
    private ReplicationStream socketStream(long idleReadEveryMs, WaitingReplicationConnection.SocketWait socket) {
        return connection(1, idleReadEveryMs).new WaitingStream(stream, socket);
    }

    /** A connection over {@link #stream} signalling {@link #gate} every 3 messages, with these waits. */
    private WaitingReplicationConnection connection(int socketWaitMs, long idleReadEveryMs) {
        return new WaitingReplicationConnection(
                new FakeConnection(stream),
                gate,
                new WaitingReplicationConnection.Waits(3, socketWaitMs, idleReadEveryMs, 1, warned),
                null);
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        public void initConnection() {}

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public void reconnect() {}

        @Override
        public void close() {}
    }

    private static ReplicationMessage message(Operation op, boolean transactional) {
        return (ReplicationMessage) Proxy.newProxyInstance(
                ReplicationMessage.class.getClassLoader(),
                new Class<?>[] {ReplicationMessage.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getOperation" -> op;
                    case "isTransactionalMessage" -> transactional;
                    case "toString" -> op.toString();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static final class FakeStream implements ReplicationStream {
        /** The messages of each readPending() call; an empty list is an empty read. */
        final Deque<List<ReplicationMessage>> reads = new ArrayDeque<>();

        SQLException failure;
        int readCalls;

        @Override
        public void read(ReplicationMessageProcessor processor) {}

        @Override
        public boolean readPending(ReplicationMessageProcessor processor) throws SQLException, InterruptedException {
            readCalls++;
            if (failure != null) {
                throw failure;
            }
            List<ReplicationMessage> messages = reads.isEmpty() ? List.of() : reads.poll();
            for (ReplicationMessage m : messages) {
                processor.process(m);
            }
            return !messages.isEmpty();
        }

        @Override
        public void flushLsn(Lsn lsn) {}

        @Override
        public Lsn lastReceivedLsn() {
            return null;
        }

        @Override
        public Lsn startLsn() {
            return null;
        }

        @Override
        public void startKeepAlive(ExecutorService service) {}

        @Override
        public void stopKeepAlive() {}

        @Override
        public void close() {}
    }
}

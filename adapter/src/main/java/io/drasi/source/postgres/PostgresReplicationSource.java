package io.drasi.source.postgres;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.drasi.source.postgres.bootstrap.BootstrapException;
import io.drasi.source.postgres.bootstrap.BootstrapProgress;
import io.drasi.source.postgres.bootstrap.BootstrapProvider;
import io.drasi.source.postgres.bootstrap.BootstrapResult;
import io.drasi.source.postgres.bootstrap.BootstrapSink;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.bootstrap.SnapshotSlot;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Drasi source that streams changes of PostgreSQL tables through logical replication, on the Debezium
 * embedded engine with the {@code pgoutput} plugin.
 *
 * <pre>{@code
 * PostgresSourceConfig config = PostgresSourceConfig.builder()
 *         .withHost("db.example.com").withDatabase("production")
 *         .withUser("replication_user").withPassword("secret")
 *         .withTables("users", "orders")
 *         .build();
 * try (PostgresReplicationSource source = new PostgresReplicationSource("pg-source", config)) {
 *     source.start(batch -> batch.forEach(c -> System.out.println(c.change())));
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #start} checks the database first (see {@link PreflightException}) and creates the publication
 * and the replication slot when missing, so every change committed after {@code start} returns is
 * delivered. Delivery is at-least-once with positions for deduplication (see {@link ChangeSink}).
 *
 * <p>Thread-safety: all methods may be called from any thread. Lifecycle: see {@link State};
 * {@link #close()} is idempotent and waits for the engine thread to finish.
 */
public final class PostgresReplicationSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresReplicationSource.class);

    private final String id;
    private final PostgresSourceConfig config;
    private final StatsCounter stats = new StatsCounter(Clock.systemUTC());
    private final PgValueConverter converter;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Object lifecycle = new Object();

    private volatile boolean closing;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private Thread engineThread;
    private ConnectionMonitor monitor;
    private ToastFiller toast;
    private GeneratedColumnFiller generated;

    /**
     * @param id     the source id, used as {@code source_id} in every change; never null or blank
     * @param config validated configuration; never null
     */
    public PostgresReplicationSource(String id, PostgresSourceConfig config) {
        this.id = Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("source id must not be blank");
        }
        this.config = Objects.requireNonNull(config, "config");
        this.converter = Mapping.converter(config, new UnmappableValueLog(id, stats));
    }

    /** @return the source id */
    public String id() {
        return id;
    }

    /** @return the configuration */
    public PostgresSourceConfig config() {
        return config;
    }

    /** @return the current lifecycle state */
    public State state() {
        return state.get();
    }

    /** @return why the source is {@link State#FAILED}, if it is */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** @return a snapshot of the counters */
    public SourceStats stats() {
        return stats.snapshot(state.get());
    }

    /**
     * Checks the database, prepares publication and slot, and starts streaming to {@code sink} on a
     * background thread. Returns once the slot exists: changes committed from now on are delivered.
     *
     * @param sink receives the changes; never null
     * @throws IllegalStateException     when already started
     * @throws ConnectionFailedException when PostgreSQL cannot be reached or refuses the login
     * @throws PreflightException        when the database is not ready (every problem listed)
     */
    public void start(ChangeSink sink) {
        begin(sink, null);
    }

    /**
     * Like {@link #start}, but on the first start (the replication slot does not exist yet) first delivers
     * a consistent snapshot: the slot is created with an exported snapshot, every existing row of the
     * configured tables reaches {@code sink} as an Insert (positions {@link ChangePosition#bootstrapRow}),
     * and streaming then begins exactly at the snapshot's consistent point — no gap, no overlap. When the
     * slot already exists the source resumes streaming from its stored position without a bootstrap.
     * Runs the bootstrap on the calling thread; returns when streaming has been started.
     *
     * @param sink     receives bootstrap rows, then the stream; never null
     * @param progress told about bootstrap progress per table; never null (use {@code p -> {}})
     * @throws BootstrapException        when the snapshot cannot be read (the new slot is dropped again, so a
     *                                   retry bootstraps again)
     * @throws ConnectionFailedException when PostgreSQL cannot be reached or refuses the login
     * @throws PreflightException        when the database is not ready (every problem listed)
     */
    public void startWithBootstrap(ChangeSink sink, BootstrapProgress progress) {
        begin(sink, Objects.requireNonNull(progress, "progress"));
    }

    /**
     * Reads a consistent snapshot of the given tables now, through a TEMPORARY slot, independently of
     * streaming (it may run while this source streams, or without starting it). To hand over to a running
     * stream exactly, drop stream transactions whose commit end LSN ({@link ChangeSink#onCommit}) is not
     * after {@link BootstrapResult#consistentPoint()}: see {@link BootstrapResult#handoverFilter()}.
     *
     * @param labels   table names (labels) to read; empty for all configured tables; never null
     * @param sink     receives one Insert per row, on the calling thread; never null
     * @param progress told about progress per table; never null
     * @return rows per table and the snapshot's consistent point
     * @throws BootstrapException when the snapshot cannot be read
     */
    public BootstrapResult bootstrap(Set<String> labels, BootstrapSink sink, BootstrapProgress progress) {
        ConnectionSettings connections = Connections.settings(id, config);
        List<Preflight.ResolvedTable> tables = resolveTables(connections);
        return bootstrapProvider(connections, tables, progress).bootstrapWithTemporarySlot(labels, sink);
    }

    private List<Preflight.ResolvedTable> resolveTables(ConnectionSettings connections) {
        try (Connection c = Connections.open(connections)) {
            return Preflight.resolveTables(c, config);
        } catch (SQLException e) {
            throw Connections.describe(e, connections);
        }
    }

    private BootstrapProvider bootstrapProvider(ConnectionSettings connections, List<Preflight.ResolvedTable> tables,
                                                BootstrapProgress progress) {
        return BootstrapProvider.builder(connections)
                .sourceId(id)
                .tables(tables.stream().map(t -> Mapping.tableId(t.name())).toList())
                .tableKeys(Mapping.tableKeys(tables))
                .converter(converter)
                .generatedColumns(config.generatedColumns() == GeneratedColumns.INCLUDE)
                .publication(config.publicationName())
                .progress(progress)
                .build();
    }

    private void begin(ChangeSink sink, BootstrapProgress bootstrapProgress) {
        Objects.requireNonNull(sink, "sink");
        synchronized (lifecycle) {
            if (!state.compareAndSet(State.CREATED, State.STARTING)) {
                throw new IllegalStateException("source " + id + " was already started (state " + state.get()
                        + "); create a new PostgresReplicationSource to start again");
            }
            try {
                ConnectionSettings connections = Connections.settings(id, config);
                Preflight.Result preflight;
                boolean slotExists;
                try (Connection c = Connections.open(connections)) {
                    preflight = Preflight.run(c, config);
                    slotExists = preflight.slotExists();
                    if (slotExists && bootstrapProgress != null && bootstrapIncomplete()) {
                        LOG.warn("source {}: slot {} exists but no completed bootstrap is recorded ({} missing): the"
                                + " previous first start stopped during its bootstrap; dropping the slot and bootstrapping"
                                + " again", id, config.slotName(), bootstrapMarker().orElseThrow());
                        dropSlot(c);
                        slotExists = false;
                    }
                    if (!slotExists) {
                        clearOffsets();
                        if (bootstrapProgress == null) {
                            createSlot(c);
                        }
                    }
                } catch (SQLException e) {
                    throw Connections.describe(e, connections);
                }
                if (!slotExists && bootstrapProgress != null) {
                    runFirstBootstrap(connections, preflight.tables(), sink, bootstrapProgress);
                } else if (bootstrapProgress != null) {
                    LOG.info("source {}: slot {} exists, resuming the stream from its position (no bootstrap)", id,
                            config.slotName());
                }
                config.offsetStoreFile(id).ifPresent(PostgresReplicationSource::createParentDirectories);
                toast = new ToastFiller(connections, converter, preflight.tables());
                ChangeMapper mapper = Mapping.mapper(id, converter, preflight.tables(), toast::columnTypes);
                generated = new GeneratedColumnFiller(connections, config, converter, preflight.tables(),
                        preflight.generatedColumnsPublished());
                Properties props = DebeziumProperties.of(id, config, preflight.tables(), Mapping.engineProperties());
                LOG.info("source {} starting: {}", id, DebeziumProperties.masked(props));
                engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                        .using(props)
                        .using((success, message, error) -> onCompleted(success, message, error))
                        .notifying(new BatchHandler(mapper, sink, toast, generated, stats, slotConfirmedFlush(connections),
                                this::onStreaming))
                        .build();
                monitor = new ConnectionMonitor(id, DebeziumProperties.topicPrefix(id), config.slotName(),
                        config.publicationName(), connections,
                        preflight.serverVersionNum(),
                        new ConnectionMonitor.Listener() {
                            @Override
                            public void connected() {
                                onStreaming();
                            }

                            @Override
                            public void disconnected() {
                                onConnectionLost();
                            }

                            @Override
                            public void slotLost(DrasiPostgresException error) {
                                fail(error);
                            }
                        });
                monitor.start();
                engineThread = new Thread(this::runEngine, "drasi-pg-" + id + "-engine");
                engineThread.setDaemon(false);
                engineThread.start();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                state.set(State.FAILED);
                terminated.countDown();
                throw e;
            }
        }
    }

    /**
     * A new slot starts a new stream: positions stored for an older slot must not be applied to it, and
     * its bootstrap is not done yet.
     */
    private void clearOffsets() {
        config.offsetStoreFile(id).ifPresent(f -> {
            try {
                if (Files.deleteIfExists(f)) {
                    LOG.info("source {}: removed offsets {} of a previous slot", id, f);
                }
                Files.deleteIfExists(bootstrapMarker().orElseThrow());
            } catch (IOException e) {
                throw new DrasiPostgresException("cannot remove stale offsets " + f + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * Beside a file offset store: records that the first-start bootstrap completed for the current slot, so a
     * start after a crash in the middle of that bootstrap bootstraps again instead of streaming with a gap.
     */
    private Optional<Path> bootstrapMarker() {
        return config.offsetStoreFile(id).map(f -> f.resolveSibling(f.getFileName() + ".bootstrapped"));
    }

    private boolean bootstrapIncomplete() {
        return bootstrapMarker().map(m -> !Files.exists(m)).orElse(false);
    }

    private void markBootstrapDone(Lsn consistentPoint) {
        bootstrapMarker().ifPresent(m -> {
            try {
                createParentDirectories(m);
                Path tmp = m.resolveSibling(m.getFileName() + ".tmp");
                Files.writeString(tmp, config.slotName() + " " + consistentPoint + "\n");
                Files.move(tmp, m, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new DrasiPostgresException("cannot record the completed bootstrap in " + m + ": " + e.getMessage()
                        + "; make the offset store directory writable", e);
            }
        });
    }

    private void dropSlot(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_drop_replication_slot(?)")) {
            ps.setString(1, config.slotName());
            ps.execute();
        }
    }

    private void runFirstBootstrap(ConnectionSettings connections, List<Preflight.ResolvedTable> tables, ChangeSink sink,
                                   BootstrapProgress progress) {
        BootstrapProvider provider = bootstrapProvider(connections, tables, progress);
        SnapshotSlot slot = SnapshotSlot.createPermanent(connections, config.slotName());
        boolean done = false;
        try {
            BootstrapBatcher batcher = new BootstrapBatcher(sink, config.maxBatchSize());
            BootstrapResult result = provider.bootstrap(slot, Set.of(), batcher);
            batcher.flush();
            LOG.info("source {}: bootstrap delivered {} rows; streaming from consistent point {}", id,
                    result.totalRows(), result.consistentPoint());
            markBootstrapDone(result.consistentPoint());
            done = true;
        } finally {
            slot.close();
            if (!done) {
                dropSlotQuietly(connections);
            }
        }
    }

    private void dropSlotQuietly(ConnectionSettings connections) {
        try (Connection c = Connections.open(connections)) {
            dropSlot(c);
            LOG.info("source {}: dropped slot {} after the failed bootstrap, so the next start bootstraps again", id,
                    config.slotName());
        } catch (SQLException | RuntimeException e) {
            LOG.warn("source {}: could not drop slot {} after the failed bootstrap ({}); drop it before retrying"
                    + " or the retry will stream without a bootstrap", id, config.slotName(), e.getMessage());
        }
    }

    private static void createParentDirectories(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new DrasiPostgresException("cannot create the offset store directory " + parent + ": " + e.getMessage()
                    + "; set offset_store to a writable path (or 'memory')", e);
        }
    }

    private Lsn slotConfirmedFlush(ConnectionSettings connections) {
        try (Connection c = Connections.open(connections); PreparedStatement ps = c.prepareStatement(
                "select confirmed_flush_lsn::text from pg_replication_slots where slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? Lsn.parse(rs.getString(1)) : Lsn.INVALID;
            }
        } catch (SQLException e) {
            throw Connections.describe(e, connections);
        }
    }

    private void createSlot(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_create_logical_replication_slot(?, 'pgoutput')")) {
            ps.setString(1, config.slotName());
            ps.execute();
            LOG.info("source {}: created replication slot {}", id, config.slotName());
        }
    }

    private void runEngine() {
        try {
            engine.run();
        } catch (Throwable t) {
            onCompleted(false, "engine thread failed", t);
        } finally {
            terminated.countDown();
        }
    }

    private void onStreaming() {
        State previous = state.get();
        if (previous == State.STARTING || previous == State.RECONNECTING) {
            if (state.compareAndSet(previous, State.RUNNING)) {
                if (previous == State.RECONNECTING) {
                    stats.reconnected();
                    LOG.info("source {}: reconnected, streaming again", id);
                } else {
                    LOG.info("source {}: streaming from slot {}", id, config.slotName());
                }
            }
        }
    }

    private void onConnectionLost() {
        if (!closing && state.compareAndSet(State.RUNNING, State.RECONNECTING)) {
            LOG.warn("source {}: replication connection lost; reconnecting with backoff", id);
        }
    }

    private void onCompleted(boolean success, String message, Throwable error) {
        try {
            if (closing && success && failure.get() == null) {
                state.set(State.STOPPED);
                return;
            }
            if (closing && failure.get() != null) {
                state.set(State.FAILED);
                return;
            }
            Throwable cause = error != null ? error : new DrasiPostgresException("engine stopped: " + message);
            Throwable root = rootSinkFailure(cause);
            if (root == null && monitor != null) {
                // Debezium's message rarely says why; the slot and publication often do
                root = monitor.diagnose().map(d -> {
                    d.initCause(cause);
                    return (Throwable) d;
                }).orElse(null);
            }
            failure.compareAndSet(null, root != null ? root : Failures.explain(cause, config));
            state.set(State.FAILED);
            LOG.error("source {} failed: {}", id, failure.get().getMessage());
        } finally {
            if (monitor != null) {
                monitor.close();
            }
        }
    }

    /** Fails the source from outside the engine (slot lost): records the cause, then stops the engine. */
    private void fail(DrasiPostgresException error) {
        if (closing || state.get().isTerminal()) {
            return;
        }
        failure.compareAndSet(null, error);
        state.set(State.FAILED);
        LOG.error("source {} failed: {}", id, error.getMessage());
        Thread stopper = new Thread(this::close, "drasi-pg-" + id + "-stopper");
        stopper.setDaemon(true);
        stopper.start();
    }

    private static Throwable rootSinkFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BatchHandler.SinkFailedException) {
                return c;
            }
        }
        return null;
    }

    /**
     * Waits until the source reaches {@code target} or a terminal state.
     *
     * @param target  the state to wait for
     * @param timeout how long to wait
     * @return true if {@code target} was reached
     * @throws InterruptedException when interrupted
     */
    public boolean awaitState(State target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            State s = state.get();
            if (s == target) {
                return true;
            }
            if (s.isTerminal()) {
                return false;
            }
            Thread.sleep(10);
        }
        return state.get() == target;
    }

    /**
     * Stops streaming, saves the last acknowledged position and waits for the engine thread. Same as
     * {@link #close()}.
     */
    public void stop() {
        close();
    }

    /**
     * Idempotent: stops the engine (flushing acknowledged offsets) and waits up to 30 s for its thread;
     * later and concurrent calls wait for the same stop.
     */
    @Override
    public void close() {
        DebeziumEngine<RecordChangeEvent<SourceRecord>> e;
        boolean first;
        synchronized (lifecycle) {
            first = !closing;
            closing = true;
            e = engine;
            if (e == null) {
                if (!state.get().isTerminal()) {
                    state.set(State.STOPPED);
                }
                terminated.countDown();
                return;
            }
        }
        if (first) {
            try {
                e.close();
            } catch (IOException | IllegalStateException ex) { // IllegalStateException: already shut down after a failure
                LOG.debug("source {}: closing the engine: {}", id, ex.getMessage());
            }
            monitor.close();
        }
        try {
            if (!terminated.await(30, TimeUnit.SECONDS)) {
                LOG.warn("source {}: engine thread did not stop within 30 s", id);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        if (generated != null) {
            generated.close();
        }
        if (toast != null) {
            toast.close();
        }
        state.updateAndGet(s -> s.isTerminal() ? s : State.STOPPED);
    }

    @Override
    public String toString() {
        return "PostgresReplicationSource[" + id + ", " + state.get() + ", " + config + "]";
    }
}

package io.drasi.source.postgres;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.drasi.source.postgres.bootstrap.BootstrapCancellation;
import io.drasi.source.postgres.bootstrap.BootstrapCancelledException;
import io.drasi.source.postgres.bootstrap.BootstrapException;
import io.drasi.source.postgres.bootstrap.BootstrapProgress;
import io.drasi.source.postgres.bootstrap.BootstrapProvider;
import io.drasi.source.postgres.bootstrap.BootstrapResult;
import io.drasi.source.postgres.bootstrap.BootstrapSink;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.bootstrap.HandoverFilter;
import io.drasi.source.postgres.bootstrap.SnapshotSlot;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.engine.AcknowledgedCommitPolicy;
import io.drasi.source.postgres.engine.BatchHandler;
import io.drasi.source.postgres.engine.BootstrapBatcher;
import io.drasi.source.postgres.engine.ConnectionMonitor;
import io.drasi.source.postgres.engine.Connections;
import io.drasi.source.postgres.engine.DebeziumProperties;
import io.drasi.source.postgres.engine.DurableFileOffsetStore;
import io.drasi.source.postgres.engine.Failures;
import io.drasi.source.postgres.engine.GeneratedColumnFiller;
import io.drasi.source.postgres.engine.HeldElements;
import io.drasi.source.postgres.engine.InlineRecordProcessing;
import io.drasi.source.postgres.engine.Mapping;
import io.drasi.source.postgres.engine.Preflight;
import io.drasi.source.postgres.engine.ReplicationSlots;
import io.drasi.source.postgres.engine.Resync;
import io.drasi.source.postgres.engine.StatsCounter;
import io.drasi.source.postgres.engine.StopBarrier;
import io.drasi.source.postgres.engine.ToastFiller;
import io.drasi.source.postgres.engine.UnmappableValueLog;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.ForeignKeys;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.TableId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p><b>Lifecycle</b> ({@link State}, every transition a compare-and-set): {@code CREATED → STARTING →
 * (BOOTSTRAPPING → STARTING) → RUNNING ⇄ RECONNECTING → STOPPING → STOPPED}, or {@code FAILED} with
 * {@link #failure()} and its {@link FailureReason}. With {@link SlotLossPolicy#RESYNC} a slot lost while streaming
 * goes {@code RUNNING → BOOTSTRAPPING → STARTING → RUNNING}: the resync (on thread {@code drasi-pg-<id>-resync},
 * which then calls the sink) emits the difference between a new slot's snapshot and the element ids the consumer
 * acknowledged, and the stream continues from the new slot. Every public method is defined in every state: a second
 * {@code start}/{@code startWithBootstrap} throws IllegalStateException (also after {@code close()});
 * {@link #close()} is idempotent, safe from any thread, concurrently, before start and from inside the sink,
 * and cancels a running bootstrap (see there).
 *
 * <p><b>Threading.</b> All methods may be called from any thread.
 * <table>
 * <caption>Which thread does what</caption>
 * <tr><th>work</th><th>thread</th></tr>
 * <tr><td>preflight, slot creation, first bootstrap ({@code startWithBootstrap})</td><td>the caller's; it
 *     returns once the engine thread is started (streaming begins shortly after; {@link #awaitState})</td></tr>
 * <tr><td>{@link ChangeSink#accept}/{@link ChangeSink#onCommit} for bootstrap rows</td><td>the caller of
 *     {@code startWithBootstrap}</td></tr>
 * <tr><td>{@link ChangeSink#accept}/{@link ChangeSink#onCommit} for streamed changes</td><td>one of Debezium's
 *     task-pool threads ({@code pool-N-thread-M}): one batch at a time, never two at once; the thread may
 *     change after a reconnect</td></tr>
 * <tr><td>{@link BootstrapProgress} of the first bootstrap / of {@link #bootstrap}</td><td>the caller's
 *     thread of that call</td></tr>
 * <tr><td>{@link BootstrapSink} of {@link #bootstrap}</td><td>the caller's thread</td></tr>
 * <tr><td>state changes RUNNING ⇄ RECONNECTING, slot/publication checks</td><td>{@code drasi-pg-<id>-monitor}
 *     </td></tr>
 * <tr><td>engine life cycle and failures</td><td>{@code drasi-pg-<id>-engine}</td></tr>
 * </table>
 * A sink that blocks holds back the reading (backpressure) and delays {@code close()} until it returns; a
 * sink that throws fails the source ({@link FailureReason#SINK}) without acknowledging the batch. There are no
 * state callbacks: poll {@link #state()} or {@link #awaitState}.
 */
public final class PostgresReplicationSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresReplicationSource.class);

    private final String id;
    private final PostgresSourceConfig config;
    private final StatsCounter stats = new StatsCounter(Clock.systemUTC());
    private final PgValueConverter converter;
    private final StateCell state = new StateCell(State.CREATED);
    private final AtomicReference<SourceFailedException> failure = new AtomicReference<>();
    /** Cancels the first bootstrap and every later one when the source is closed. */
    private final BootstrapCancellation cancellation = new BootstrapCancellation();

    private final AtomicBoolean shutdownClaimed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The engine's stop barrier (issue 16: a close never interrupts Debezium's LSN flush); null before the engine. */
    private volatile StopBarrier stopBarrier;
    /** How long a stop waits for the polling thread to reach a safe point before closing the engine anyway. */
    private static final Duration STOP_SAFE_POINT_WAIT = Duration.ofMillis(500);

    /** The foreign keys emitted as relations (resolved at start; none unless foreign_key_relations). */
    private volatile ForeignKeys foreignKeys = ForeignKeys.none();
    /**
     * True once this source has opened a replication connection on the configured slot (a bootstrap's
     * snapshot slot or the engine): close() then waits for the server to release the slot.
     */
    private volatile boolean slotClaimed;
    /** Of the current engine run (a resync while streaming starts a new one); guarded by engineLock for writes. */
    private volatile CountDownLatch engineTerminated = new CountDownLatch(1);
    /** The element ids the consumer holds; only with on_slot_loss: resync. */
    private volatile HeldElements held;
    /** The sink of start/startWithBootstrap, for a resync while streaming. */
    private volatile ChangeSink streamSink;
    /** True while a resync replaces the engine: the old engine's end is not a failure. */
    private final AtomicBoolean resyncing = new AtomicBoolean();
    /** Threads inside start/startWithBootstrap/bootstrap: they run the sink and progress callbacks. */
    private final Set<Thread> callers = new HashSet<>();

    private final Object calls = new Object();
    private final Object engineLock = new Object();

    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine; // guarded by engineLock
    private Thread engineThread; // guarded by engineLock
    private volatile ConnectionMonitor monitor;
    private volatile BatchHandler batchHandler;
    private volatile ToastFiller toast;
    private volatile GeneratedColumnFiller generated;

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

    /**
     * @return why the source is {@link State#FAILED} (or is stopping after a failure), with its
     *         {@link SourceFailedException#reason() reason}; empty otherwise, also after a requested stop
     */
    public Optional<SourceFailedException> failure() {
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
        if (stopRequested()) {
            throw new IllegalStateException("source " + id + " is closed (state " + state.get() + ")");
        }
        enterCall();
        try {
            ConnectionSettings connections = Connections.settings(id, config);
            Resolved resolved = resolveTables(connections);
            return bootstrapProvider(connections, resolved.tables(), resolved.foreignKeys(), progress)
                    .bootstrapWithTemporarySlot(labels, sink);
        } finally {
            exitCall();
        }
    }

    /** The captured tables and the foreign keys emitted as relations among them. */
    private record Resolved(List<Preflight.ResolvedTable> tables, ForeignKeys foreignKeys) {}

    private Resolved resolveTables(ConnectionSettings connections) {
        try (Connection c = Connections.open(connections)) {
            List<Preflight.ResolvedTable> tables = Preflight.resolveTables(c, config);
            return new Resolved(tables, Preflight.foreignKeys(c, config, tables));
        } catch (SQLException e) {
            throw Connections.describe(e, connections);
        }
    }

    private BootstrapProvider bootstrapProvider(
            ConnectionSettings connections,
            List<Preflight.ResolvedTable> tables,
            ForeignKeys foreignKeys,
            BootstrapProgress progress) {
        return BootstrapProvider.builder(connections)
                .sourceId(id)
                .tables(tables.stream().map(t -> t.name()).toList())
                .tableKeys(Mapping.tableKeys(tables))
                .foreignKeys(foreignKeys)
                .converter(converter)
                .generatedColumns(config.generatedColumns() == GeneratedColumns.INCLUDE)
                .publication(config.publicationName())
                .progress(progress)
                .cancellation(cancellation)
                .build();
    }

    private void begin(ChangeSink sink, BootstrapProgress bootstrapProgress) {
        Objects.requireNonNull(sink, "sink");
        if (!state.compareAndSet(State.CREATED, State.STARTING)) {
            throw new IllegalStateException("source " + id + " was already started or closed (state " + state.get()
                    + "); create a new PostgresReplicationSource to start again");
        }
        enterCall();
        try {
            ConnectionSettings connections = Connections.settings(id, config);
            Preflight.Result preflight;
            boolean slotExists;
            String resyncCause = null;
            streamSink = sink;
            try (Connection c = Connections.open(connections)) {
                preflight = Preflight.run(c, config);
                foreignKeys = Preflight.foreignKeys(c, config, preflight.tables()); // the field: every later path
                slotExists = preflight.slotExists();
                checkNotClosed("start");
                if (config.keepsHeldElements()) {
                    openHeld();
                }
                if (config.onSlotLoss() == SlotLossPolicy.RESYNC) {
                    resyncCause = resyncCauseAtStart(c, slotExists);
                }
                if (resyncCause != null) {
                    LOG.debug("source {}: resync at start: {}", id, resyncCause);
                } else if (slotExists && bootstrapProgress != null && bootstrapIncomplete()) {
                    LOG.warn(
                            "source {}: slot {} exists but no completed bootstrap is recorded ({} missing): the"
                                    + " previous first start stopped during its bootstrap; dropping the slot and "
                                    + "bootstrapping"
                                    + " again",
                            id,
                            config.slotName(),
                            bootstrapMarker().orElseThrow());
                    ReplicationSlots.drop(c, config.slotName());
                    slotExists = false;
                }
                if (!slotExists && resyncCause == null) {
                    clearOffsets();
                    if (bootstrapProgress == null) {
                        ReplicationSlots.create(c, config.slotName());
                        LOG.info("source {}: created replication slot {}", id, config.slotName());
                        HeldElements h = held;
                        if (h != null) {
                            h.resetForNewSlot(); // a new stream: the consumer got nothing of it yet
                        }
                    }
                }
            } catch (SQLException e) {
                throw Connections.describe(e, connections);
            }
            Lsn snapshotBase = null; // positions of rows delivered at this start, before the stream (none yet)
            long snapshotRows = 0;
            if (resyncCause != null) {
                if (!state.compareAndSet(State.STARTING, State.BOOTSTRAPPING)) {
                    throw closedDuring("start", null);
                }
                runResync(connections, preflight.tables(), sink, bootstrapProgress, resyncCause);
                if (!state.compareAndSet(State.BOOTSTRAPPING, State.STARTING)) {
                    throw closedDuring("start (after the completed resync; the next start streams from its end)", null);
                }
            } else if (!slotExists && bootstrapProgress != null) {
                if (!state.compareAndSet(State.STARTING, State.BOOTSTRAPPING)) {
                    throw closedDuring("start", null);
                }
                runFirstBootstrap(connections, preflight.tables(), foreignKeys, sink, bootstrapProgress);
                if (!state.compareAndSet(State.BOOTSTRAPPING, State.STARTING)) {
                    throw closedDuring(
                            "start (after the completed bootstrap; the next start streams from its end)", null);
                }
            } else if (bootstrapProgress != null) {
                List<Preflight.ResolvedTable> added = addedTables(preflight.tables());
                if (added.isEmpty()) {
                    LOG.info(
                            "source {}: slot {} exists, resuming the stream from its position (no bootstrap)",
                            id,
                            config.slotName());
                } else {
                    if (!state.compareAndSet(State.STARTING, State.BOOTSTRAPPING)) {
                        throw closedDuring("start", null);
                    }
                    snapshotBase = deliveredUpTo(connections);
                    snapshotRows = bootstrapAdded(
                            connections, preflight.tables(), added, sink, bootstrapProgress, snapshotBase);
                    if (!state.compareAndSet(State.BOOTSTRAPPING, State.STARTING)) {
                        throw closedDuring("start (after bootstrapping the added tables)", null);
                    }
                }
            }
            dropRemovedTables(connections, preflight.tables());
            if (config.onTableRemoved() == TableRemovedPolicy.DELETE) {
                deleteRemovedTablesElements(
                        preflight.tables(),
                        sink,
                        snapshotBase != null ? snapshotBase : deliveredUpTo(connections),
                        snapshotRows);
            }
            startEngine(connections, preflight, sink);
        } catch (SourceClosedException e) {
            throw e;
        } catch (BootstrapCancelledException e) {
            throw closedDuring("the first bootstrap", e);
        } catch (RuntimeException e) {
            if (stopRequested()) {
                // e.g. a statement cancelled by close(): a requested stop, not a failure
                LOG.debug("source {}: start ended by close(): {}", id, e.toString());
                throw closedDuring("start", e);
            }
            failStarting(e);
            throw e;
        } finally {
            exitCall();
        }
    }

    /**
     * Builds the engine, its batch handler and monitor for the slot as it is now, and starts the engine thread.
     * Called by the start and again after a resync while streaming (state STARTING).
     */
    private void startEngine(ConnectionSettings connections, Preflight.Result preflight, ChangeSink sink) {
        config.offsetStoreFile(id).ifPresent(PostgresReplicationSource::createParentDirectories);
        toast = new ToastFiller(connections, converter, preflight.tables());
        ChangeMapper mapper = Mapping.mapper(id, converter, preflight.tables(), toast::columnTypes, foreignKeys);
        generated = new GeneratedColumnFiller(
                connections, config, converter, preflight.tables(), preflight.generatedColumnsPublished());
        Properties props = DebeziumProperties.of(id, config, preflight.tables(), Mapping.engineProperties());
        StopBarrier barrier = StopBarrier.register();
        props.setProperty(StopBarrier.PROPERTY, barrier.key());
        Lsn resumeLsn = slotConfirmedFlush(connections);
        BatchHandler handler = new BatchHandler(
                mapper, sink, toast, generated, stats, resumeLsn, this::onStreaming, "drasi-pg-" + id + "-ack", held);
        handler.handOver(recordedHandovers(resumeLsn));
        recordTables(preflight.tables());
        CountDownLatch terminated = new CountDownLatch(1);
        DebeziumEngine<RecordChangeEvent<SourceRecord>> built = DebeziumEngine.create(
                        ChangeEventFormat.of(Connect.class))
                .using(props)
                .using(this::onCompleted)
                .using(new AcknowledgedCommitPolicy(config.offsetFlushInterval()))
                .notifying(handler)
                .build();
        InlineRecordProcessing.install(built); // no hand-off to the engine's record thread (issue 19)
        ConnectionMonitor m = new ConnectionMonitor(
                id,
                DebeziumProperties.topicPrefix(id),
                config.slotName(),
                config.publicationName(),
                connections,
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
                    public void slotLost(SourceFailedException error) {
                        if (!resyncOnSlotLoss(error)) {
                            fail(error);
                        }
                    }
                });
        synchronized (engineLock) {
            // close() moves the state first and then reads the engine under this lock: either it sees
            // the engine started here, or this sees its STOPPING
            if (state.get() != State.STARTING) {
                barrier.unregister();
                throw closedDuring("start", null);
            }
            LOG.info("source {} starting: {}", id, DebeziumProperties.masked(props));
            batchHandler = handler;
            stopBarrier = barrier;
            engine = built;
            slotClaimed = true;
            monitor = m;
            engineTerminated = terminated;
            m.start();
            engineThread = new Thread(() -> runEngine(built, terminated, barrier), "drasi-pg-" + id + "-engine");
            engineThread.setDaemon(false);
            engineThread.start();
        }
    }

    /** The start failed on the caller's thread (nothing runs yet): FAILED with the classified reason. */
    private void failStarting(RuntimeException e) {
        SourceFailedException f = Failures.classify(e, config);
        if (failure.compareAndSet(null, f)) {
            LOG.debug("source {}: start failed ({}): {}", id, f.reason(), f.getMessage());
        }
        for (State s = state.get(); !s.isTerminal() && s != State.STOPPING; s = state.get()) {
            if (state.compareAndSet(s, State.FAILED)) {
                closeHelpers();
                closeHeld();
                return;
            }
        }
    }

    private boolean stopRequested() {
        State s = state.get();
        return s == State.STOPPING || s == State.STOPPED;
    }

    private void checkNotClosed(String what) {
        if (stopRequested()) {
            throw closedDuring(what, null);
        }
    }

    private SourceClosedException closedDuring(String what, Throwable cause) {
        return new SourceClosedException(
                "source " + id + " was closed during " + what + "; nothing incomplete was"
                        + " acknowledged (an interrupted first bootstrap dropped its slot, so the next start "
                        + "bootstraps again)",
                cause);
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
                Files.deleteIfExists(handoversRecord().orElseThrow()); // a new slot's stream starts after them
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
        bootstrapMarker()
                .ifPresent(m -> writeStateFile(
                        m, List.of(config.slotName() + " " + consistentPoint), "the completed bootstrap"));
    }

    /**
     * Writes {@code lines} to a state file beside the offsets atomically (a sibling temp file moved over it).
     *
     * @param what what the file records, for the error message
     */
    private static void writeStateFile(Path file, List<String> lines, String what) {
        try {
            createParentDirectories(file);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, lines);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new DrasiPostgresException(
                    "cannot record " + what + " in " + file + ": " + e.getMessage()
                            + "; make the offset store directory writable",
                    e);
        }
    }

    /**
     * Bootstrap rows to {@code sink} in batches; once the sink returned, each batch goes into the held element ids
     * (when kept) and the per-table bootstrap counts.
     *
     * @param after see {@link BootstrapBatcher#BootstrapBatcher}
     */
    private BootstrapBatcher bootstrapBatcher(ChangeSink sink, Lsn after) {
        HeldElements h = held;
        return new BootstrapBatcher(
                batch -> {
                    sink.accept(batch);
                    if (h != null) {
                        h.acknowledged(batch);
                    }
                    stats.bootstrapAcknowledged(batch);
                },
                config.maxBatchSize(),
                after);
    }

    private void runFirstBootstrap(
            ConnectionSettings connections,
            List<Preflight.ResolvedTable> tables,
            ForeignKeys foreignKeys,
            ChangeSink sink,
            BootstrapProgress progress) {
        BootstrapProvider provider = bootstrapProvider(connections, tables, foreignKeys, progress);
        slotClaimed = true;
        SnapshotSlot slot = SnapshotSlot.createPermanent(connections, config.slotName(), cancellation);
        boolean done = false;
        HeldElements h = held;
        try {
            if (h != null) {
                h.resetForNewSlot(); // a new slot: the consumer gets its snapshot now
            }
            BootstrapBatcher batcher = bootstrapBatcher(sink, Lsn.INVALID);
            BootstrapResult result = provider.bootstrap(slot, Set.of(), batcher);
            batcher.flush();
            LOG.info(
                    "source {}: bootstrap delivered {} rows; streaming from consistent point {}",
                    id,
                    result.totalRows(),
                    result.consistentPoint());
            markBootstrapDone(result.consistentPoint());
            done = true;
        } finally {
            slot.close();
            if (!done) {
                LOG.debug(
                        "source {}: bootstrap ended incomplete; snapshot connection closed, dropping slot {}",
                        id,
                        config.slotName());
                dropSlotQuietly(connections);
            }
        }
    }

    /**
     * Opens the element ids the consumer holds ({@code <offset_store>.held}), kept for on_slot_loss: resync and
     * on_table_removed: delete.
     */
    private void openHeld() {
        Path offsets = config.offsetStoreFile(id).orElseThrow(); // the validator requires a file store for both
        createParentDirectories(offsets);
        if (held == null) {
            held = HeldElements.open(HeldElements.fileBeside(offsets));
        }
    }

    /**
     * With on_slot_loss: resync, says why the start must resync, if it must: a resync under way when the source
     * stopped, an invalidated slot, or a missing slot although a position was stored (an offset file, a completed
     * bootstrap, or complete held ids).
     *
     * @return the cause, or null to start as usual
     */
    private String resyncCauseAtStart(Connection c, boolean slotExists) throws SQLException {
        Path offsets = config.offsetStoreFile(id).orElseThrow();
        HeldElements h = held;
        Optional<String> underWay = h.resyncUnderWay();
        if (underWay.isPresent()) {
            return "a resync was interrupted (" + underWay.get() + ")";
        }
        if (slotExists && ReplicationSlots.invalidated(c, config.slotName())) {
            return "replication slot " + config.slotName()
                    + " was invalidated by PostgreSQL (WAL it needed was removed,"
                    + " e.g. max_slot_wal_keep_size exceeded)";
        }
        boolean positionStored =
                Files.exists(offsets) || bootstrapMarker().map(Files::exists).orElse(false) || h.complete();
        if (!slotExists && positionStored) {
            return "replication slot " + config.slotName() + " is missing although a position was stored (dropped,"
                    + " or a failover to a server without it)";
        }
        return null;
    }

    /**
     * on_slot_loss: resync. Drops what is left of the slot, creates it anew with an exported snapshot, delivers the
     * difference between the snapshot and the held element ids ({@link Resync}), and records the new slot's
     * consistent point as a completed bootstrap; the engine then streams from it. Interrupted, the held ids say so
     * and the next start resyncs again.
     */
    private void runResync(
            ConnectionSettings connections,
            List<Preflight.ResolvedTable> tables,
            ChangeSink sink,
            BootstrapProgress progress,
            String cause) {
        HeldElements h = held;
        if (!h.complete() && h.resyncUnderWay().isEmpty()) {
            throw new SourceFailedException(
                    cause.contains("invalidated") ? FailureReason.SLOT_INVALIDATED : FailureReason.SLOT_MISSING,
                    cause + "; on_slot_loss is resync, but the element ids in "
                            + h.file()
                            + " do not cover the slot's whole stream (resync was switched on for a slot that had"
                            + " already delivered changes), so the consumer's state is unknown. Fix: drop the slot, "
                            + "delete "
                            + h.file() + " and the offset store, and start with a bootstrap (the consumer cleared)",
                    null);
        }
        long started = System.nanoTime();
        h.beginResync(cause);
        try (Connection c = Connections.open(connections)) {
            if (ReplicationSlots.drop(c, config.slotName())) {
                LOG.info("source {}: dropped the lost replication slot {}", id, config.slotName());
            }
        } catch (SQLException e) {
            throw Connections.describe(e, connections);
        }
        clearOffsets();
        BootstrapProvider provider = bootstrapProvider(
                connections, tables, foreignKeys, progress == null ? BootstrapProgress.NONE : progress);
        slotClaimed = true;
        SnapshotSlot slot = SnapshotSlot.createPermanent(connections, config.slotName(), cancellation);
        boolean done = false;
        try {
            Resync resync =
                    new Resync(id, h, sink, stats, provider.tables(), slot.consistentPoint(), 0, config.maxBatchSize());
            BootstrapResult result = provider.bootstrap(slot, Set.of(), resync);
            slot.close();
            resync.finish(result.effectiveFromMs());
            if (config.onTableRemoved() == TableRemovedPolicy.DELETE) {
                logRemovedTablesDeleted(resync, resync.deleteUnconfiguredTables(result.effectiveFromMs()), started);
            }
            h.endResync();
            markBootstrapDone(result.consistentPoint());
            LOG.warn(
                    "source {}: {}: resynced through a new slot {} (on_slot_loss: resync): read {} rows, {} in {} ms;"
                            + " streaming from its consistent point {}",
                    id,
                    cause,
                    config.slotName(),
                    result.totalRows(),
                    resync.counts(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    result.consistentPoint());
            done = true;
        } finally {
            slot.close();
            if (!done) {
                dropSlotQuietly(connections);
            }
        }
    }

    /**
     * A lost or invalidated slot seen while streaming (monitor or engine end): with on_slot_loss: resync, stops the
     * engine and resyncs on a helper thread, then streams again; state BOOTSTRAPPING meanwhile.
     *
     * @return false when the policy is fail (or the error is not a slot loss): the caller fails the source
     */
    private boolean resyncOnSlotLoss(SourceFailedException error) {
        if (config.onSlotLoss() != SlotLossPolicy.RESYNC
                || held == null
                || (error.reason() != FailureReason.SLOT_MISSING && error.reason() != FailureReason.SLOT_INVALIDATED)) {
            return false;
        }
        if (!resyncing.compareAndSet(false, true)) {
            return true; // already under way
        }
        for (State s = state.get(); ; s = state.get()) {
            if (s != State.RUNNING && s != State.RECONNECTING && s != State.STARTING) {
                resyncing.set(false);
                return s == State.STOPPING || s == State.STOPPED; // closing anyway; FAILED stays
            }
            if (state.compareAndSet(s, State.BOOTSTRAPPING)) {
                break;
            }
        }
        BatchHandler h = batchHandler;
        if (h != null) {
            h.refuseNewBatches(); // nothing more from the lost slot's stream
        }
        Thread t = new Thread(() -> resyncWhileStreaming(error), "drasi-pg-" + id + "-resync");
        t.setDaemon(true);
        enterCall(t); // close() cancels it and waits for it
        t.start();
        return true;
    }

    private void resyncWhileStreaming(SourceFailedException error) {
        try {
            DebeziumEngine<RecordChangeEvent<SourceRecord>> e;
            synchronized (engineLock) {
                e = engine;
            }
            if (e != null && !stopEngine(e)) {
                throw new DrasiPostgresException(
                        "the engine refused to stop within 30 s (still starting its task); the resync needs the slot");
            }
            closeHelpers();
            checkNotClosed("the resync");
            ConnectionSettings connections = Connections.settings(id, config);
            Preflight.Result preflight = Preflight.run(connections, config);
            String cause = "replication slot " + config.slotName()
                    + (error.reason() == FailureReason.SLOT_INVALIDATED
                            ? " was invalidated by PostgreSQL while streaming (WAL it needed was removed)"
                            : " was dropped (or dropped and recreated) while streaming");
            runResync(connections, preflight.tables(), streamSink, null, cause);
            if (!state.compareAndSet(State.BOOTSTRAPPING, State.STARTING)) {
                throw closedDuring("the resync", null);
            }
            resyncing.set(false);
            startEngine(connections, preflight, streamSink);
        } catch (RuntimeException ex) {
            resyncing.set(false);
            if (stopRequested()) {
                LOG.debug("source {}: resync ended by close(): {}", id, ex.toString());
            } else {
                fail(Failures.classify(ex, config));
            }
        } finally {
            resyncing.set(false);
            exitCall();
        }
    }

    /**
     * Beside a file offset store: the tables the slot's stream carries (one {@code schema.table} per line), written
     * when the engine starts, so a later start sees tables added to or removed from {@code tables}.
     */
    private Optional<Path> tablesRecord() {
        return config.offsetStoreFile(id).map(f -> f.resolveSibling(f.getFileName() + ".tables"));
    }

    private Optional<List<TableId>> recordedTables() {
        Optional<Path> f = tablesRecord();
        if (f.isEmpty() || !Files.exists(f.get())) {
            return Optional.empty();
        }
        try {
            return Optional.of(readRecord(f, "table set").stream()
                    .map(TableId::parseQualified)
                    .toList());
        } catch (RuntimeException e) {
            LOG.warn(
                    "source {}: cannot read the recorded table set {} ({}); table set changes are not detected"
                            + " on this start",
                    id,
                    f.get(),
                    e.toString());
            return Optional.empty();
        }
    }

    private void recordTables(List<Preflight.ResolvedTable> tables) {
        tablesRecord()
                .ifPresent(f -> writeStateFile(
                        f, tables.stream().map(t -> t.name().sql()).toList(), "the table set"));
    }

    /** The non-blank lines of a record beside the offset store; none when it is missing. */
    private List<String> readRecord(Optional<Path> f, String what) {
        if (f.isEmpty() || !Files.exists(f.get())) {
            return List.of();
        }
        try {
            return Files.readAllLines(f.get()).stream()
                    .filter(l -> !l.isBlank())
                    .toList();
        } catch (IOException e) {
            throw new DrasiPostgresException(
                    "cannot read the recorded " + what + " " + f.get() + ": " + e.getMessage()
                            + "; make the offset store directory readable",
                    e);
        }
    }

    /** @return the configured tables the slot's stream did not carry so far (none when nothing was recorded) */
    private List<Preflight.ResolvedTable> addedTables(List<Preflight.ResolvedTable> tables) {
        Optional<List<TableId>> recorded = recordedTables();
        if (recorded.isEmpty() || bootstrapIncomplete()) {
            return List.of();
        }
        return tables.stream().filter(t -> !recorded.get().contains(t.name())).toList();
    }

    /**
     * Bootstraps tables added to {@code tables} alone, with the hand-over a later bootstrap uses: a temporary slot's
     * exported snapshot of just them ({@link BootstrapProvider#bootstrapWithTemporarySlot}: no lock, SELECT is
     * enough; the other tables are not read), delivered as Inserts; the stream then drops exactly their changes of
     * transactions that snapshot contains ({@link HandoverFilter}). The filters and the new table set are recorded
     * before the engine starts, so a crash before the stream passed the snapshot's point still hands over exactly.
     */
    private long bootstrapAdded(
            ConnectionSettings connections,
            List<Preflight.ResolvedTable> tables,
            List<Preflight.ResolvedTable> added,
            ChangeSink sink,
            BootstrapProgress progress,
            Lsn after) {
        List<TableId> names = added.stream().map(Preflight.ResolvedTable::name).toList();
        long started = System.nanoTime();
        BootstrapBatcher batcher = bootstrapBatcher(sink, after);
        BootstrapResult result = bootstrapProvider(connections, added, foreignKeys, progress)
                .bootstrapWithTemporarySlot(Set.of(), batcher);
        batcher.flush();
        Map<TableId, HandoverFilter> filters = new java.util.LinkedHashMap<>(recordedHandovers(Lsn.INVALID));
        names.forEach(n -> filters.put(n, result.handoverFilter()));
        recordHandovers(filters);
        recordTables(tables);
        LOG.info(
                "source {}: table(s) {} added to tables: bootstrapped alone through a temporary slot, {} rows in {} ms;"
                        + " the stream drops their changes in that snapshot ({})",
                id,
                names,
                result.totalRows(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                result.handoverFilter());
        return batcher.nextRow();
    }

    /**
     * Beside a file offset store: per table bootstrapped alone, the hand-over filter of its snapshot (one
     * {@code <filter>\t<schema.table>} per line), until the stream has passed the snapshot's point.
     */
    private Optional<Path> handoversRecord() {
        return config.offsetStoreFile(id).map(f -> f.resolveSibling(f.getFileName() + ".handover"));
    }

    /**
     * @param resumeLsn where the stream resumes (the slot's confirmed position): a filter whose point is below it is
     *                  settled (every transaction still to come commits after it) and left out
     * @return table → hand-over filter still needed
     */
    private Map<TableId, HandoverFilter> recordedHandovers(Lsn resumeLsn) {
        Map<TableId, HandoverFilter> out = new java.util.LinkedHashMap<>();
        for (String line : readRecord(handoversRecord(), "hand-over filters")) {
            int tab = line.indexOf('\t');
            HandoverFilter f;
            TableId table;
            try {
                f = HandoverFilter.parse(line.substring(0, Math.max(0, tab)));
                table = TableId.parseQualified(line.substring(tab + 1));
            } catch (IllegalArgumentException e) {
                throw new DrasiPostgresException(
                        "cannot read the hand-over filter of an added table in "
                                + handoversRecord().orElseThrow()
                                + " (" + e.getMessage() + "): the file was changed by hand. Fix: restore it, or"
                                + " delete it (changes of the added table committed during its bootstrap are then"
                                + " delivered again once)",
                        e);
            }
            if (!resumeLsn.isAfter(f.consistentPoint())) {
                out.put(table, f);
            }
        }
        return out;
    }

    private void recordHandovers(Map<TableId, HandoverFilter> filters) {
        handoversRecord()
                .ifPresent(f -> writeStateFile(
                        f,
                        filters.entrySet().stream()
                                .map(e -> e.getValue() + "\t" + e.getKey().sql())
                                .toList(),
                        "the hand-over filters"));
    }

    /** Tables removed from {@code tables}: out of the publication when the role may (their changes stop anyway). */
    private void dropRemovedTables(ConnectionSettings connections, List<Preflight.ResolvedTable> tables) {
        Optional<List<TableId>> recorded = recordedTables();
        if (recorded.isEmpty()) {
            return;
        }
        Set<TableId> configured = new HashSet<>();
        tables.forEach(t -> configured.add(t.name()));
        List<TableId> removed =
                recorded.get().stream().filter(t -> !configured.contains(t)).toList();
        if (removed.isEmpty()) {
            return;
        }
        try (Connection c = Connections.open(connections)) {
            Preflight.dropFromPublication(c, config, removed);
        } catch (SQLException e) {
            throw Connections.describe(e, connections);
        }
    }

    /**
     * on_table_removed: delete. A Delete for every element the consumer holds of a table that is no longer
     * configured (known from the held ids: whatever was delivered and not deleted), delivered through the sink,
     * acknowledged and removed from the held ids before the engine starts; one WARN with the counts. Interrupted,
     * the rest is deleted at the next start. Fails naming the fix when the held ids do not cover the slot's history.
     */
    private void deleteRemovedTablesElements(
            List<Preflight.ResolvedTable> tables, ChangeSink sink, Lsn after, long firstIndex) {
        HeldElements h = held;
        List<TableId> configured =
                tables.stream().map(Preflight.ResolvedTable::name).toList();
        if (!h.complete()) {
            List<TableId> removed = recordedTables().orElse(List.of()).stream()
                    .filter(t -> !configured.contains(t))
                    .toList();
            if (!removed.isEmpty()) {
                throw new DrasiPostgresException("table(s) " + removed + " were removed from tables and"
                        + " on_table_removed is delete, but the element ids in " + h.file()
                        + " do not cover the slot's whole stream (on_table_removed: delete or on_slot_loss: resync was"
                        + " switched on for a slot that had already delivered changes), so the removed tables'"
                        + " elements the consumer holds are unknown. Fix: start once with on_table_removed: keep (the"
                        + " consumer keeps them), or drop the slot, delete " + h.file()
                        + " and the offset store, and start with a bootstrap (the consumer cleared)");
            }
            return;
        }
        long started = System.nanoTime();
        Resync deletes = new Resync(id, h, sink, stats, configured, after, firstIndex, config.maxBatchSize());
        logRemovedTablesDeleted(deletes, deletes.deleteUnconfiguredTables(System.currentTimeMillis()), started);
    }

    private void logRemovedTablesDeleted(Resync deletes, Map<String, Long> perTable, long startedNanos) {
        if (!perTable.isEmpty()) {
            LOG.warn(
                    "source {}: table(s) removed from tables (on_table_removed: delete): delivered {} Delete(s) of"
                            + " the elements the consumer held ({}) in {} ms",
                    id,
                    perTable.values().stream().mapToLong(Long::longValue).sum(),
                    perTable,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        }
    }

    private void dropSlotQuietly(ConnectionSettings connections) {
        try (Connection c = Connections.open(connections)) {
            ReplicationSlots.drop(c, config.slotName());
            LOG.info(
                    "source {}: dropped slot {} after the {} bootstrap, so the next start bootstraps again",
                    id,
                    config.slotName(),
                    cancellation.isCancelled() ? "cancelled" : "failed");
        } catch (SQLException | RuntimeException e) {
            LOG.warn(
                    "source {}: could not drop slot {} after the failed bootstrap ({}); drop it before retrying"
                            + " or the retry will stream without a bootstrap",
                    id,
                    config.slotName(),
                    e.getMessage());
        }
    }

    private static void createParentDirectories(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new DrasiPostgresException(
                    "cannot create the offset store directory " + parent + ": " + e.getMessage()
                            + "; set offset_store to a writable path (or 'memory')",
                    e);
        }
    }

    /**
     * Where the slot's stream has been delivered up to at this start: the later of the slot's confirmed position and
     * the stored offsets' last commit (they differ after a crash between saving offsets and flushing the slot). Rows
     * delivered at a start before the stream (added tables, removed tables' Deletes) take positions after it, so
     * positions keep increasing across the restart ({@link ChangePosition}).
     */
    private Lsn deliveredUpTo(ConnectionSettings connections) {
        Lsn slot = slotConfirmedFlush(connections);
        Lsn stored = config.offsetStoreFile(id)
                .flatMap(DurableFileOffsetStore::storedCommitLsn)
                .orElse(Lsn.INVALID);
        return stored.isAfter(slot) ? stored : slot;
    }

    private Lsn slotConfirmedFlush(ConnectionSettings connections) {
        try (Connection c = Connections.open(connections)) {
            return ReplicationSlots.confirmedFlush(c, config.slotName()).orElse(Lsn.INVALID);
        } catch (SQLException e) {
            throw Connections.describe(e, connections);
        }
    }

    private void runEngine(
            DebeziumEngine<RecordChangeEvent<SourceRecord>> e, CountDownLatch terminated, StopBarrier barrier) {
        try {
            if (state.get() == State.STARTING) { // closed before the thread ran: do not start Debezium at all
                e.run();
            }
        } catch (Throwable t) {
            onCompleted(false, "engine thread failed", t);
        } finally {
            barrier.unregister();
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
        if (state.compareAndSet(State.RUNNING, State.RECONNECTING)) {
            LOG.warn("source {}: replication connection lost; reconnecting with backoff", id);
        }
    }

    /** Debezium's completion callback, on the engine thread, once the engine has stopped. */
    private void onCompleted(boolean success, String message, Throwable error) {
        try {
            State s = state.get();
            if (resyncing.get()) {
                LOG.debug(
                        "source {}: engine stopped for the resync: {}", id, error == null ? message : error.toString());
                return;
            }
            if (s == State.STOPPING || s == State.STOPPED || s == State.FAILED) {
                // a requested stop (or one after a failure already recorded): engine-state errors are expected
                LOG.debug("source {}: engine stopped ({}): {}", id, s, error == null ? message : error.toString());
                return;
            }
            Throwable cause = error != null ? error : new DrasiPostgresException("engine stopped: " + message);
            SourceFailedException f = Failures.classify(cause, config);
            if (f.reason() != FailureReason.SINK && f.reason() != FailureReason.UNMAPPABLE_VALUE && monitor != null) {
                // Debezium's message rarely says why; the slot and publication often do
                Optional<SourceFailedException> diagnosed = monitor.diagnose();
                if (diagnosed.isPresent()) {
                    f = new SourceFailedException(
                            diagnosed.get().reason(), diagnosed.get().getMessage(), cause);
                    if (resyncOnSlotLoss(f)) {
                        return;
                    }
                }
            }
            SourceFailedException failed = f;
            for (State now = state.get(); !now.isTerminal() && now != State.STOPPING; now = state.get()) {
                if (state.compareAndSet(now, State.FAILED, () -> failure.compareAndSet(null, failed))) {
                    LOG.error("source {} failed ({}): {}", id, f.reason(), f.getMessage());
                    return;
                }
            }
            LOG.debug("source {}: engine stopped during close(): {}", id, cause.toString());
        } finally {
            closeHelpers();
        }
    }

    /**
     * Fails the source from outside the engine (slot or publication lost): records the cause, moves to
     * STOPPING, and stops the engine on a helper thread; the state ends in FAILED.
     */
    /**
     * A failure found outside the engine (the monitor: slot dropped or invalidated). The source is FAILED at once —
     * no change is delivered after this (the batch handler's gate is closed by the stop) — while the engine is
     * stopped in the background; it may be held up by a sink that does not return, which must not keep
     * {@link #state()} from saying that the source failed. {@link #close()} still waits for the engine thread.
     */
    private void fail(SourceFailedException error) {
        for (State s = state.get(); s != State.STOPPING && !s.isTerminal(); s = state.get()) {
            if (state.compareAndSet(s, State.FAILED, () -> failure.compareAndSet(null, error))) {
                BatchHandler h = batchHandler;
                if (h != null) {
                    h.refuseNewBatches(); // nothing is delivered once the source says FAILED
                }
                LOG.error("source {} failed ({}): {}", id, error.reason(), error.getMessage());
                Thread stopper = new Thread(this::shutdown, "drasi-pg-" + id + "-stopper");
                stopper.setDaemon(true);
                stopper.start();
                return;
            }
        }
    }

    /**
     * The Debezium embedded-engine properties a source with this id and configuration starts its engine with:
     * connection, slot, publication, table filter, key columns, the value contract of
     * {@code PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES}, batching, heartbeat and offsets. For teams that run
     * their own Debezium engine with this mapping, and for benchmarks that compare against raw Debezium under the
     * same settings. The tables are resolved against the catalog as the preflight does (one short connection).
     * Differences from the source's own engine: every polled record reaches your consumer as itself (the source's
     * engine passes a poll as one record that only its own batch handler unpacks). Like the source's engine, the
     * connector ends every transaction with an END record on topic {@code <sourceId>.transaction}, in the layout of
     * Debezium's transaction metadata ({@code DrasiChangeConsumer} turns it into {@code ChangeSink.onCommit}).
     *
     * <p>The result holds the password ({@code database.password}): keep it out of logs.
     *
     * @param sourceId the source id (engine name and topic prefix); never null
     * @param config   the configuration; never null
     * @return a new {@link Properties}; never null
     * @throws ConnectionFailedException when PostgreSQL cannot be reached
     * @throws DrasiPostgresException    when a configured table cannot be resolved
     */
    public static Properties debeziumEngineProperties(String sourceId, PostgresSourceConfig config) {
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(config, "config");
        ConnectionSettings settings = Connections.settings(sourceId, config);
        try (Connection c = Connections.open(settings)) {
            return DebeziumProperties.forOwnEngine(DebeziumProperties.of(
                    sourceId, config, Preflight.resolveTables(c, config), Mapping.engineProperties()));
        } catch (SQLException e) {
            throw Connections.describe(e, settings);
        }
    }

    /**
     * Waits until the source reaches {@code target} or a terminal state; the thread blocks until a state change
     * wakes it (no polling).
     *
     * @param target  the state to wait for
     * @param timeout how long to wait
     * @return true if {@code target} was reached
     * @throws InterruptedException when interrupted
     */
    public boolean awaitState(State target, Duration timeout) throws InterruptedException {
        return state.await(target, timeout.toNanos());
    }

    /**
     * Stops streaming, saves the last acknowledged position and waits for the engine thread. Same as
     * {@link #close()}.
     */
    public void stop() {
        close();
    }

    /**
     * Stops the source; defined in every state, idempotent, safe from any thread and concurrently:
     * <ul>
     * <li>before {@code start}: the source becomes {@link State#STOPPED} (a later start throws
     *     IllegalStateException);</li>
     * <li>during {@code start}/{@code startWithBootstrap}/{@code bootstrap} on another thread: cancels the
     *     running bootstrap (its COPY is cancelled on the server, so reading stops within milliseconds), drops
     *     the slot an interrupted first bootstrap created, and that call throws {@link SourceClosedException};</li>
     * <li>while streaming: stops the engine after the batch in flight (its position is saved when the sink
     *     returned);</li>
     * <li>after a failure: releases what is left; the state stays {@link State#FAILED}.</li>
     * </ul>
     * Returns when the engine thread has ended (at most about 30 s; a sink that blocks for ever delays it) and
     * the state is terminal; concurrent and later calls wait for the same stop. Called from inside the sink
     * (or a progress listener) it only requests the stop and returns at once; the stop completes after the
     * callback returns. Never throws; a clean stop logs nothing above INFO.
     */
    @Override
    public void close() {
        requestStop();
        if (isCallbackThread()) {
            if (shutdownClaimed.compareAndSet(false, true)) {
                cancellation.cancel();
                Thread stopper = new Thread(this::shutdownClaimed, "drasi-pg-" + id + "-stopper");
                stopper.setDaemon(true);
                stopper.start();
            }
            return;
        }
        shutdown();
    }

    /** Moves any non-terminal state to STOPPING (CREATED straight to STOPPED). */
    private void requestStop() {
        for (State s = state.get(); s != State.STOPPING && !s.isTerminal(); s = state.get()) {
            if (state.compareAndSet(s, s == State.CREATED ? State.STOPPED : State.STOPPING)) {
                LOG.debug("source {}: stop requested in state {}", id, s);
                return;
            }
        }
    }

    /** True on a thread that is inside this source's sink or progress callbacks (or start/bootstrap). */
    private boolean isCallbackThread() {
        Thread me = Thread.currentThread();
        BatchHandler h = batchHandler;
        synchronized (calls) {
            if (callers.contains(me)) {
                return true;
            }
        }
        return h != null && h.isDeliveringOn(me);
    }

    private void shutdown() {
        if (shutdownClaimed.compareAndSet(false, true)) {
            shutdownClaimed();
        } else {
            awaitStopped();
        }
    }

    private void shutdownClaimed() {
        try {
            long t0 = System.nanoTime();
            cancellation.cancel(); // running bootstraps stop reading now
            awaitCalls(TimeUnit.SECONDS.toNanos(10));
            LOG.debug(
                    "source {}: stop: running calls ended {} ms after the cancel",
                    id,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            DebeziumEngine<RecordChangeEvent<SourceRecord>> e;
            ConnectionMonitor m;
            synchronized (engineLock) {
                e = engine;
                m = monitor;
            }
            boolean engineClosed = e == null || stopEngine(e);
            if (e != null) {
                LOG.debug(
                        "source {}: stop: engine stopped {} ms after the cancel",
                        id,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
            if (m != null) {
                m.close();
            }
            closeHelpers();
            if (slotClaimed) {
                awaitSlotReleased();
            }
            State end = failure.get() != null ? State.FAILED : State.STOPPED;
            if (e != null && engineTerminated.getCount() > 0) {
                LOG.warn(
                        "source {}: the engine thread did not stop within 30 s ({}); state stays STOPPING until it"
                                + " does",
                        id,
                        engineClosed
                                ? "a sink that does not return?"
                                : "Debezium is still starting its task and refuses to close until it has; closing it"
                                        + " then");
                Thread waiter = new Thread(
                        () -> {
                            if (!engineClosed) {
                                closeEngine(e, Long.MAX_VALUE);
                            }
                            awaitQuietly(engineTerminated, Long.MAX_VALUE);
                            state.compareAndSet(State.STOPPING, end);
                        },
                        "drasi-pg-" + id + "-stop-waiter");
                waiter.setDaemon(true);
                waiter.start();
                return;
            }
            state.compareAndSet(State.STOPPING, end);
            closeHeld();
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Debezium's engine may only be closed once it polls: closed while it is still creating or starting
     * its task, its own thread fails the next state change and logs that at ERROR (and closing while the
     * task starts is refused). So: wait until its task has polled once ({@link StopBarrier#awaitFirstPoll}) or the
     * engine has ended, then close it, retrying while it refuses; then wait for its thread.
     *
     * @return true when the engine ended or accepted the close within 30 s; false when it still refused it (a task
     *     start that takes longer): the caller keeps trying, or the engine would stream on after close()
     */
    private boolean stopEngine(DebeziumEngine<RecordChangeEvent<SourceRecord>> e) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        StopBarrier barrier = stopBarrier;
        try {
            while (engineTerminated.getCount() > 0
                    && barrier != null
                    && !barrier.awaitFirstPoll(Duration.ofMillis(20))
                    && System.nanoTime() < deadline) {
                // still creating or starting its task: a close now is refused or fails Debezium's run at ERROR
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        BatchHandler h = batchHandler;
        if (h != null) {
            try {
                if (!h.quiesce(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                    LOG.debug("source {}: the sink did not return before the stop deadline", id);
                }
                if (barrier != null && !barrier.stopAndAwaitParked(STOP_SAFE_POINT_WAIT, h::isRefusedWaiting)) {
                    LOG.debug(
                            "source {}: the polling thread reached no safe point within {}", id, STOP_SAFE_POINT_WAIT);
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        boolean closed = closeEngine(e, deadline);
        awaitQuietly(engineTerminated, Math.max(0, deadline - System.nanoTime()) / 1_000_000);
        return closed || engineTerminated.getCount() == 0;
    }

    /**
     * Closes the engine, retrying while it refuses, until it accepts, has ended, or {@code deadline} (a
     * {@link System#nanoTime()}) passed.
     *
     * @return true when it accepted the close
     */
    private boolean closeEngine(DebeziumEngine<RecordChangeEvent<SourceRecord>> e, long deadline) {
        boolean closed = false;
        while (!closed && engineTerminated.getCount() > 0 && System.nanoTime() < deadline) {
            closed = tryCloseEngine(e);
        }
        return closed;
    }

    /**
     * One attempt to close the engine; after a refusal waits 50 ms.
     *
     * @return true when the engine accepted the close (or failed it for good); false when it refused, still
     *     starting its task or already stopping on its own (e.g. after a failure)
     */
    private boolean tryCloseEngine(DebeziumEngine<RecordChangeEvent<SourceRecord>> e) {
        StopBarrier barrier = stopBarrier;
        if (barrier != null) {
            barrier.closing();
        }
        try {
            e.close();
            unblockEngineThread();
            return true;
        } catch (IllegalStateException ex) {
            LOG.debug("source {}: engine not closable yet: {}", id, ex.getMessage());
            awaitQuietly(engineTerminated, 50);
            return false;
        } catch (IOException ex) {
            LOG.debug("source {}: closing the engine: {}", id, ex.toString());
            return true;
        }
    }

    /**
     * Once the engine's close() has returned, its tasks are stopped and their offsets committed; the engine thread
     * only has to notice that polling ended. A safety net: if it has not within a moment (Debezium announces polling
     * before it submits the polling task, and a close in between leaves the engine thread waiting for a task that
     * never runs; {@link #stopEngine} avoids that window by waiting for the first poll), an interrupt makes it finish
     * its shutdown normally (Debezium logs "Task interrupted while polling" at INFO).
     */
    private void unblockEngineThread() {
        awaitQuietly(engineTerminated, 500);
        if (engineTerminated.getCount() > 0) {
            Thread t;
            synchronized (engineLock) {
                t = engineThread;
            }
            if (t != null && t.isAlive()) {
                LOG.debug("source {}: engine thread still waiting 500 ms after close(); interrupting it", id);
                t.interrupt();
            }
        }
    }

    private void awaitStopped() {
        awaitQuietly(stopped, TimeUnit.SECONDS.toMillis(60));
    }

    private static void awaitQuietly(CountDownLatch latch, long millis) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(millis, Long.MAX_VALUE / 2_000_000));
        while (latch.getCount() > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                latch.await(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException ex) {
                interrupted = true; // finish the stop first, then keep the interrupt
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The walsender of the stopped engine (or of a cancelled bootstrap's snapshot slot) exits asynchronously:
     * wait (up to 3 s) until the slot is no longer active, so that a source started right after close() returns
     * finds it free instead of "active for PID".
     */
    private void awaitSlotReleased() {
        try (Connection conn = Connections.open(Connections.settings(id, config))) {
            if (ReplicationSlots.awaitInactive(conn, config.slotName(), Duration.ofSeconds(3), pid -> {})
                    .isPresent()) {
                LOG.debug("source {}: slot {} still active 3 s after the engine stopped", id, config.slotName());
            }
        } catch (SQLException | RuntimeException ex) {
            LOG.debug("source {}: cannot check that slot {} was released: {}", id, config.slotName(), ex.toString());
        }
    }

    private void closeHeld() {
        HeldElements h = held;
        if (h != null) {
            try {
                h.close();
            } catch (RuntimeException e) {
                LOG.debug("source {}: closing the held element ids: {}", id, e.toString());
            }
        }
    }

    private void closeHelpers() {
        BatchHandler h = batchHandler;
        if (h != null) {
            h.close();
        }
        GeneratedColumnFiller g = generated;
        ToastFiller t = toast;
        ConnectionMonitor m = monitor;
        if (m != null) {
            m.close();
        }
        if (g != null) {
            g.close();
        }
        if (t != null) {
            t.close();
        }
    }

    private void enterCall() {
        enterCall(Thread.currentThread());
    }

    private void enterCall(Thread t) {
        synchronized (calls) {
            callers.add(t);
        }
    }

    private void exitCall() {
        exitCall(Thread.currentThread());
    }

    private void exitCall(Thread t) {
        synchronized (calls) {
            callers.remove(t);
            calls.notifyAll();
        }
    }

    /** Waits until no other thread is inside start/startWithBootstrap/bootstrap (they were cancelled). */
    private void awaitCalls(long nanos) {
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        synchronized (calls) {
            while (!callers.isEmpty() && !(callers.size() == 1 && callers.contains(Thread.currentThread()))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.debug("source {}: {} call(s) still running after the cancel", id, callers.size());
                    break;
                }
                try {
                    calls.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException ex) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PostgresReplicationSource[" + id + ", " + state.get() + ", " + config + "]";
    }

    /**
     * The lifecycle state: compare-and-set transitions that wake {@link #awaitState} waiters, so a waiting thread
     * blocks instead of polling (issue 19: idle cost). Thread-safe.
     */
    private static final class StateCell {
        private volatile State value;

        StateCell(State initial) {
            this.value = initial;
        }

        State get() {
            return value;
        }

        synchronized boolean compareAndSet(State expected, State next) {
            return compareAndSet(expected, next, () -> {});
        }

        /** Like {@link #compareAndSet(State, State)}, running {@code before} (e.g. recording the failure) first, so
         *  whoever sees the new state also sees its effect. */
        synchronized boolean compareAndSet(State expected, State next, Runnable before) {
            if (value != expected) {
                return false;
            }
            before.run();
            value = next;
            notifyAll();
            return true;
        }

        /** @return true once the state is {@code target}; false when it became terminal or the time ran out */
        synchronized boolean await(State target, long nanos) throws InterruptedException {
            long deadline = System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4);
            while (value != target && !value.isTerminal()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return value == target;
        }
    }
}

package io.drasi.source.postgres.platform;

import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.sdk.ChangeMonitor;
import io.drasi.source.sdk.ChangePublisher;
import io.drasi.source.sdk.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK's {@link ChangeMonitor} on a {@link PostgresReplicationSource}: streams the configured tables'
 * changes to the {@link ChangePublisher} as SDK {@code SourceInsert}/{@code SourceUpdate}/{@code SourceDelete}
 * and keeps its position in the SDK's {@link StateStore}, so a restarted reactivator resumes exactly.
 *
 * <h2>sequenceNumber (wire {@code payload.source.lsn})</h2>
 * The platform orders a source's changes by it, so it must strictly increase. Our {@link ChangePosition}
 * is a triple (previous commit LSN, change LSN, ordinal) that cannot be packed into one {@code long}
 * without loss, and the change LSN alone goes backwards when PostgreSQL interleaves transactions (a
 * transaction committed later may have written its rows earlier). So:
 * <pre>sequenceNumber = max(previous sequenceNumber + 1, change LSN as a 64-bit integer)</pre>
 * It equals the change's LSN whenever that is increasing (the common case, and what the platform's own
 * Debezium reactivator sends), is bumped by one where interleaving would go backwards, and is carried
 * over restarts in the state store. Because it depends only on the stored checkpoint and the (ordered,
 * deterministic) stream, a change redelivered after a crash before its checkpoint was stored is
 * published again with the same sequenceNumber. Without a stored value (first start, or state wiped)
 * it restarts from the LSN, i.e. near the WAL position rather than at 1, so ordering survives a lost
 * state store in all but interleaving corner cases.
 *
 * <h2>What the state store adds to the replication slot</h2>
 * The slot's {@code confirmed_flush_lsn} only advances after a batch was acknowledged (published and
 * checkpointed), so the slot alone already loses nothing (at-least-once). But a crash in the middle of
 * a batch, or before the slot confirmation reached the server, makes PostgreSQL redeliver everything
 * committed after {@code confirmed_flush_lsn}, including changes already published. The state store
 * turns that into exactly-once: after every published change and every completed transaction the
 * reactivator stores a {@link Checkpoint} under {@link Checkpoint#KEY}: the commit end LSN {@code W} of
 * the last fully published transaction, the number of later transactions already fully published, and
 * the open transaction's last published change (txId, change LSN, ordinal), plus the sequenceNumber.
 * At start it reads the checkpoint back and, if something after {@code W} was published, moves the
 * (inactive) slot forward to {@code W} with {@code pg_replication_slot_advance}, so the redelivery starts
 * exactly there: the first {@code completedTxs} transactions are skipped whole and the open transaction
 * up to its stored change. (Comparing {@link ChangePosition}s is not enough across a restart: Debezium
 * without stored offsets reports the first transaction's previous commit LSN as 0/0.) The platform thus
 * sees each change once (only the single change in flight between {@code Publish} and {@code put} can be
 * repeated, with the same sequenceNumber) and the sequenceNumber continues.
 *
 * <p>The stored state is never wiped at start (unlike the platform's Debezium reactivator). It is
 * ignored for deduplication when the slot it belongs to no longer exists (a new slot is a new stream)
 * and deleted by deprovisioning. If the slot is already past {@code W} (heartbeats advance it while idle)
 * nothing after {@code W} can be pending and nothing is skipped.
 *
 * <p>TRUNCATE has no platform form: it is logged as a warning and skipped (query results keep the
 * truncated rows until the elements are deleted or re-bootstrapped).
 *
 * <p>Thread-safety: {@link #run} is called once, by the SDK's executor; {@link #close} from any thread.
 */
public final class PostgresChangeMonitor implements ChangeMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeMonitor.class);

    private final String sourceId;
    private final PostgresSourceConfig config;
    private final Clock clock;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile PostgresReplicationSource source;

    /**
     * @param sourceId the Drasi source id; never null
     * @param config   the source configuration; never null
     */
    public PostgresChangeMonitor(String sourceId, PostgresSourceConfig config) {
        this(sourceId, config, Clock.systemUTC());
    }

    PostgresChangeMonitor(String sourceId, PostgresSourceConfig config, Clock clock) {
        this.sourceId = Objects.requireNonNull(sourceId, "sourceId");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Starts streaming and blocks until {@link #close} or a failure.
     *
     * @throws Exception the source's failure (the SDK then exits the process; the restarted reactivator
     *                   resumes from the state store)
     */
    @Override
    public void run(ChangePublisher publisher, StateStore stateStore) throws Exception {
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(stateStore, "stateStore");
        Checkpoint start = startingCheckpoint(stateStore);
        PostgresReplicationSource s = new PostgresReplicationSource(sourceId, config);
        source = s;
        if (closed.getCount() == 0) {
            return;
        }
        try {
            try {
                s.start(new PublishingSink(publisher, stateStore, start));
            } catch (RuntimeException e) {
                if (closed.getCount() == 0) {
                    return; // closed while starting
                }
                throw e;
            }
            LOG.info(
                    "source {}: streaming to the platform (sequenceNumber continues from {})",
                    sourceId,
                    start.sequenceNumber());
            while (!closed.await(200, TimeUnit.MILLISECONDS)) {
                if (s.state().isTerminal()) {
                    break;
                }
            }
        } finally {
            s.close();
        }
        if (s.state() == State.FAILED && closed.getCount() > 0) {
            throw s.failure().<Exception>map(f -> f).orElseGet(() -> new IllegalStateException("source failed"));
        }
    }

    private Checkpoint startingCheckpoint(StateStore stateStore) throws Exception {
        Checkpoint stored = Checkpoint.fromBytes(stateStore.get(Checkpoint.KEY)).orElse(null);
        if (stored == null) {
            LOG.info("source {}: no checkpoint in the state store; streaming from the slot", sourceId);
            return Checkpoint.fresh(config.slotName(), 0L);
        }
        if (!stored.slot().equals(config.slotName())) {
            LOG.warn(
                    "source {}: checkpoint belongs to slot {}, not {}: not deduplicating, sequenceNumber continues"
                            + " from {}",
                    sourceId,
                    stored.slot(),
                    config.slotName(),
                    stored.sequenceNumber());
            return Checkpoint.fresh(config.slotName(), stored.sequenceNumber());
        }
        Optional<Lsn> confirmed = stored.hasPublishedAfterCommittedEnd()
                ? Slots.advanceTo(config, stored.committedEnd())
                : Slots.exists(config) ? Optional.of(Lsn.INVALID) : Optional.empty();
        if (confirmed.isEmpty()) {
            LOG.warn(
                    "source {}: slot {} does not exist any more; a new slot is a new stream: not deduplicating,"
                            + " sequenceNumber continues from {}",
                    sourceId,
                    config.slotName(),
                    stored.sequenceNumber());
            return Checkpoint.fresh(config.slotName(), stored.sequenceNumber());
        }
        if (stored.hasPublishedAfterCommittedEnd()
                && stored.committedEnd().isValid()
                && confirmed.get().isAfter(stored.committedEnd())) {
            // cannot happen when the checkpoint was written as designed (the slot is confirmed only after it)
            throw new IllegalStateException("slot " + config.slotName() + " is confirmed up to " + confirmed.get()
                    + ", past the checkpoint's last commit " + stored.committedEnd() + " with changes published after"
                    + " it; cannot resume exactly. Delete state key " + Checkpoint.KEY + " to resume from the slot.");
        }
        if (stored.hasPublishedAfterCommittedEnd()) {
            LOG.info(
                    "source {}: resuming after commit {} (slot was at {}), skipping {} published transaction(s){}",
                    sourceId,
                    stored.committedEnd(),
                    confirmed.get(),
                    stored.completedTxs(),
                    stored.openTxId() == null
                            ? ""
                            : " and transaction " + stored.openTxId() + " up to " + stored.openLsn() + "/"
                                    + stored.openOrdinal());
        } else {
            LOG.info(
                    "source {}: resuming from the slot; every transaction up to commit {} was published",
                    sourceId,
                    stored.committedEnd());
        }
        return stored;
    }

    /**
     * Waits until the stream runs (the slot exists and changes committed from now on are delivered).
     *
     * @param timeout how long to wait
     * @return true when streaming
     * @throws InterruptedException when interrupted
     */
    public boolean awaitStreaming(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        PostgresReplicationSource s;
        while ((s = source) == null) {
            if (System.nanoTime() > deadline || closed.getCount() == 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return s.awaitState(State.RUNNING, java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /** @return changes published since start */
    public long published() {
        return published.get();
    }

    /** @return redelivered changes skipped (and truncates) since start */
    public long skipped() {
        return skipped.get();
    }

    /** Stops streaming; {@link #run} returns. Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        PostgresReplicationSource s = source;
        if (s != null) {
            s.close();
        }
    }

    /**
     * Publishes each new change, then stores the checkpoint; skips what the checkpoint says was published.
     * Tracks, for every delivered change (published or skipped): the open transaction and how many
     * transactions completed after the last reported commit.
     */
    private final class PublishingSink implements ChangeSink {
        private final ChangePublisher publisher;
        private final StateStore stateStore;
        private final String slot;
        private long sequence;
        // live tracking, stored in every checkpoint
        private Lsn committedEnd;
        private long completedTxs;
        private Long openTx;
        private Lsn openLsn;
        private long openOrdinal;
        // recovery: what the stored checkpoint says was already published after committedEnd
        private boolean recovering;
        private long skipTxs;
        private Long skippingTx;
        private final Long dedupeTx;
        private final Lsn dedupeLsn;
        private final long dedupeOrdinal;

        PublishingSink(ChangePublisher publisher, StateStore stateStore, Checkpoint start) {
            this.publisher = publisher;
            this.stateStore = stateStore;
            this.slot = start.slot();
            this.sequence = start.sequenceNumber();
            this.committedEnd = start.committedEnd();
            this.recovering = start.hasPublishedAfterCommittedEnd();
            this.skipTxs = start.completedTxs();
            this.dedupeTx = start.openTxId();
            this.dedupeLsn = start.openLsn();
            this.dedupeOrdinal = start.openOrdinal();
        }

        @Override
        public void accept(List<PositionedChange> changes) throws Exception {
            for (PositionedChange pc : changes) {
                ChangePosition p = pc.position();
                boolean skip = recovering && alreadyPublished(p);
                track(p);
                if (skip) {
                    skipped.incrementAndGet();
                    LOG.debug("source {}: skipping redelivered change tx {} at {}", sourceId, p.txId(), p);
                    continue;
                }
                if (pc.change() instanceof SourceChange.Truncate t) {
                    skipped.incrementAndGet();
                    LOG.warn(
                            "source {}: TRUNCATE of {}.{} has no Drasi platform form; skipped (elements of the table"
                                    + " remain until deleted or re-bootstrapped)",
                            sourceId,
                            t.schema(),
                            t.table());
                } else {
                    long seq = Math.max(sequence + 1, p.lsn().asLong());
                    publisher.Publish(SdkModels.toSdk(pc.change(), nowNs(), seq));
                    sequence = seq;
                    published.incrementAndGet();
                }
                store();
            }
        }

        @Override
        public void onCommit(long txId, Lsn commitEndLsn) {
            committedEnd = commitEndLsn;
            if (openTx != null && openTx == txId) {
                openTx = null;
                openLsn = null;
            } else if (completedTxs > 0) {
                completedTxs--;
            }
            store();
        }

        /**
         * Redelivery after {@code committedEnd}: skip {@code skipTxs} whole transactions, then the open one's prefix.
         */
        private boolean alreadyPublished(ChangePosition p) {
            if (skippingTx != null && skippingTx == p.txId()) {
                return true;
            }
            if (skipTxs > 0) {
                skipTxs--;
                skippingTx = p.txId();
                return true;
            }
            if (dedupeTx != null && dedupeTx == p.txId()) {
                int c = p.lsn().compareTo(dedupeLsn);
                return c < 0 || (c == 0 && p.ordinal() <= dedupeOrdinal);
            }
            recovering = false;
            return false;
        }

        private void track(ChangePosition p) {
            if (openTx == null || openTx != p.txId()) {
                if (openTx != null) {
                    completedTxs++; // changes of a transaction are contiguous: the previous one is complete
                }
                openTx = p.txId();
            }
            openLsn = p.lsn();
            openOrdinal = p.ordinal();
        }

        private void store() {
            stateStore.put(
                    Checkpoint.KEY,
                    new Checkpoint(slot, committedEnd, completedTxs, openTx, openLsn, openOrdinal, sequence).toBytes());
        }
    }

    private long nowNs() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}

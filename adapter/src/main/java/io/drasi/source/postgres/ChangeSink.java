package io.drasi.source.postgres;

import io.drasi.source.postgres.core.Lsn;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Receives the changes of a {@link PostgresReplicationSource}.
 *
 * <p><b>Delivery contract.</b> Batches arrive one at a time, on the source's delivery thread, in commit
 * order: the changes of a transaction are contiguous and complete before the next transaction's, and a
 * large transaction may span several batches. Returning normally from {@link #accept} acknowledges the
 * whole batch: only then is its position committed (to the offset store and the replication slot). If
 * {@code accept} throws, nothing of the batch is acknowledged and the source stops in
 * {@link State#FAILED} with that exception as the cause; a new source on the same config resumes at the
 * first unacknowledged change. After a crash, changes that were delivered but not yet acknowledged are
 * delivered again (at-least-once); compare {@link ChangePosition}s to drop them (exactly-once).
 *
 * <p>Blocking in {@code accept} is the backpressure mechanism: the source reads no further while it blocks.
 *
 * <p><b>Threading.</b> Called from one thread at a time, never concurrently:
 * <table>
 * <caption>Who calls the sink</caption>
 * <tr><th>phase</th><th>thread</th></tr>
 * <tr><td>first bootstrap ({@code startWithBootstrap})</td><td>the thread that called {@code
 * startWithBootstrap}</td></tr>
 * <tr><td>streaming</td><td>a Debezium task-pool thread ({@code pool-N-thread-M}); one batch at a time; the
 *     thread may differ after a reconnect, so do not rely on thread-locals</td></tr>
 * </table>
 * Blocking: the source reads no further (backpressure) and {@code close()} waits for the batch in flight
 * before stopping the engine. Throwing: the batch is not acknowledged and the source ends in
 * {@link State#FAILED} with {@link FailureReason#SINK}. Calling {@code close()} from inside the sink is
 * allowed: it requests the stop and returns at once; the stop completes after the sink returns.
 */
@FunctionalInterface
public interface ChangeSink {

    /**
     * @param changes one batch, never empty, never null; the list is not reused after return
     * @throws Exception to refuse the batch (the source then fails without acknowledging it)
     */
    void accept(List<PositionedChange> changes) throws Exception;

    /**
     * Pipelined delivery while streaming: hands the batch over and may return before the sink is done with it, so the
     * source maps the next batch while this one is still being written. The source acknowledges a batch (commits its
     * position, then calls {@link #onCommit} for the transactions it completed) only after the returned stage
     * completed normally, never before and always in delivery order; a stage that completes exceptionally fails the
     * source ({@link FailureReason#SINK}) without acknowledging that batch or any later one (noticed at the next
     * batch or heartbeat). At most {@value #MAX_UNACKNOWLEDGED_BATCHES} batches are unacknowledged at a time: with
     * more, the source waits (backpressure). The acknowledgement runs on the source's {@code drasi-pg-<id>-ack}
     * thread, so {@link #onCommit} may run while this method is called for a later batch.
     *
     * <p>Same calling rules as {@link #accept} (one thread, in order; the first bootstrap always uses
     * {@link #accept}). The default calls {@link #accept} and returns a completed stage: the synchronous contract.
     *
     * @param changes one batch, never empty, never null; not reused after the stage completed
     * @return a stage that completes once the batch is done (e.g. written); never null
     * @throws Exception to refuse the batch at once (as {@link #accept})
     */
    default CompletionStage<Void> acceptAsync(List<PositionedChange> changes) throws Exception {
        accept(changes);
        return CompletableFuture.completedFuture(null);
    }

    /** Most batches a pipelined sink ({@link #acceptAsync}) may have unacknowledged at a time. */
    int MAX_UNACKNOWLEDGED_BATCHES = 3;

    /**
     * Called after {@link #accept} returned for the batch that completed a transaction, once per
     * transaction, in commit order. Changes carry their {@link ChangePosition#txId()}; this tells when that
     * transaction is complete and its commit end LSN, which is what a host needs to hand over from a later
     * bootstrap exactly (drop transactions whose commit end LSN is at or below the snapshot's consistent
     * point; see {@code io.drasi.source.postgres.bootstrap.HandoverFilter}). The default does nothing.
     *
     * @param txId         the PostgreSQL transaction id
     * @param commitEndLsn the transaction's commit end LSN; never null
     * @throws Exception to stop the source (as for {@link #accept})
     */
    default void onCommit(long txId, Lsn commitEndLsn) throws Exception {}
}

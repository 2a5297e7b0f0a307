package io.drasi.source.postgres;

import io.drasi.source.postgres.core.Lsn;
import java.time.Instant;

/**
 * A point-in-time snapshot of a source's counters.
 *
 * @param state               lifecycle state when the snapshot was taken; never null
 * @param changes             Drasi changes delivered and acknowledged
 * @param transactions        transactions whose commit was acknowledged
 * @param batches             batches acknowledged
 * @param lastLsn             LSN of the last acknowledged change ({@link Lsn#INVALID} before the first); never null
 * @param lastCommitLsn       commit LSN of the last acknowledged transaction; never null
 * @param lastCommitTime      commit time of the last acknowledged change, or null before the first
 * @param lagMillis           wall-clock time between that commit and its acknowledgement (replication lag
 *                            as seen by the sink), -1 before the first change
 * @param reconnects          how many times the connection was re-established after a loss
 * @param unmappableValues    column values delivered as PostgreSQL's text form because the value table could not
 *                            convert them ({@code unmappable_values: text}; counted when converted)
 * @param inserts             streamed Inserts acknowledged (bootstrap rows not included)
 * @param updates             streamed Updates acknowledged
 * @param deletes             streamed Deletes acknowledged
 * @param truncates           streamed Truncates acknowledged
 * @param relationChanges     streamed relation Inserts, Updates and Deletes acknowledged ({@code
 * foreign_key_relations})
 * @param bootstrapRows       bootstrap rows acknowledged per table (label); never null
 */
public record SourceStats(
        State state,
        long changes,
        long transactions,
        long batches,
        Lsn lastLsn,
        Lsn lastCommitLsn,
        Instant lastCommitTime,
        long lagMillis,
        long reconnects,
        long unmappableValues,
        long inserts,
        long updates,
        long deletes,
        long truncates,
        long relationChanges,
        java.util.Map<String, Long> bootstrapRows) {}

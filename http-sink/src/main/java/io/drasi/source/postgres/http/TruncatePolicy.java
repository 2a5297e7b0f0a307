package io.drasi.source.postgres.http;

/**
 * What {@link DrasiHttpSink} does with a {@code SourceChange.Truncate}: the drasi HTTP source has no event
 * for "delete every element of a table", and the sink cannot expand it into deletes because it does not
 * know which elements the server holds (that would need state that survives restarts).
 */
public enum TruncatePolicy {
    /**
     * Default. The changes before the TRUNCATE are posted, then {@code accept} throws
     * {@link HttpSinkException} naming the table: the source stops in FAILED without acknowledging the
     * batch, so nothing is silently lost. To get past it, restart with {@link #SKIP} and remove the
     * table's elements from Drasi another way (e.g. restart the Drasi source and re-bootstrap).
     */
    FAIL,
    /**
     * The TRUNCATE is skipped with a WARN log line naming the table and counted in
     * {@link HttpSinkStats#truncatesSkipped()}; the rest of the batch is posted. Drasi then keeps the
     * table's old elements until they are deleted or updated by later changes.
     */
    SKIP
}

package io.drasi.source.postgres.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of a {@link DrasiHttpSink}'s counters, for progress lines and health checks.
 *
 * @param postedEvents     events the server acknowledged (a retried batch counts once)
 * @param postedRequests   POSTs the server acknowledged
 * @param retries          failed attempts that were retried (connection errors, timeouts, 5xx, 408/429,
 *                         partial failures, success=false)
 * @param truncatesSkipped TRUNCATEs skipped under {@link TruncatePolicy#SKIP}
 * @param pendingEvents    events of the batch currently waiting for the server's acknowledgement (0 when idle)
 * @param pendingFor       how long that batch has been waiting ({@link Duration#ZERO} when idle)
 * @param lagMillis        commit → server acknowledgement in ms: while a batch waits, the age of its oldest
 *                         change (grows during an outage); otherwise that of the last acknowledged change;
 *                         -1 before the first
 * @param lastError        the last failure (retried or fatal), without the token
 * @param lastErrorAt      when it happened
 * @param failed           true once the sink threw a non-retriable error or was closed
 */
public record HttpSinkStats(
        long postedEvents,
        long postedRequests,
        long retries,
        long truncatesSkipped,
        long pendingEvents,
        Duration pendingFor,
        long lagMillis,
        Optional<String> lastError,
        Optional<Instant> lastErrorAt,
        boolean failed) {

    /** @return a compact one-line summary, e.g. {@code sink 1,200 posted, lag 15 ms, 3 retries (last: HTTP 503 ...)} */
    public String summary() {
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "sink %,d posted", postedEvents));
        if (pendingEvents > 0) {
            sb.append(String.format(
                    java.util.Locale.ROOT, ", %,d waiting for %.1f s", pendingEvents, pendingFor.toMillis() / 1000.0));
        }
        if (lagMillis >= 0) {
            sb.append(String.format(java.util.Locale.ROOT, ", lag %,d ms", lagMillis));
        }
        sb.append(String.format(java.util.Locale.ROOT, ", %,d retries", retries));
        if (truncatesSkipped > 0) {
            sb.append(", ").append(truncatesSkipped).append(" TRUNCATEs skipped");
        }
        lastError.ifPresent(e -> sb.append(" (last error: ").append(e).append(')'));
        return sb.toString();
    }
}

package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.model.TableId;
import java.time.Duration;

/**
 * Listener for bootstrap progress, per table: called when a table starts, periodically while it is
 * read (see {@link BootstrapProvider.Builder#progressInterval}), and when it is finished. Called on the
 * bootstrap's thread: keep it quick (printing a line is fine).
 *
 * <p>Thread-safety: called from one thread at a time. Nullability: the argument is never null.
 */
@FunctionalInterface
public interface BootstrapProgress {

    /** A listener that ignores everything. */
    BootstrapProgress NONE = p -> {};

    /** @param progress the table's current progress; never null */
    void onProgress(TableProgress progress);

    /** Where a table is. */
    enum Phase {
        /** about to read the table; {@code rowsDone} is 0 */
        STARTED,
        /** periodic report while reading */
        READING,
        /** every row of the table was delivered */
        FINISHED
    }

    /**
     * One table's progress.
     *
     * @param table         schema-qualified table; never null
     * @param phase         where the table is; never null
     * @param rowsDone      rows delivered to the sink so far
     * @param rowsEstimated the planner's estimate ({@code pg_class.reltuples}), or -1 when unknown
     *                      (never analysed); may be lower than {@code rowsDone}
     * @param elapsed       time since the table started; never null
     * @param tableIndex    1-based position of the table in this bootstrap
     * @param tableCount    number of tables in this bootstrap
     */
    record TableProgress(
            TableId table,
            Phase phase,
            long rowsDone,
            long rowsEstimated,
            Duration elapsed,
            int tableIndex,
            int tableCount) {

        /** @return rows per second since the table started (0 at the start) */
        public double rowsPerSecond() {
            long nanos = elapsed.toNanos();
            return nanos <= 0 ? 0 : rowsDone * 1e9 / nanos;
        }

        /** @return done/estimated in 0..1, or -1 when there is no estimate */
        public double fraction() {
            if (rowsEstimated <= 0) {
                return phase == Phase.FINISHED ? 1 : -1;
            }
            return Math.min(1.0, (double) rowsDone / rowsEstimated);
        }

        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT,
                    "%s [%d/%d] %s: %,d of ~%s rows, %,.0f rows/s, %.1f s",
                    phase,
                    tableIndex,
                    tableCount,
                    table,
                    rowsDone,
                    rowsEstimated < 0 ? "?" : String.format(java.util.Locale.ROOT, "%,d", rowsEstimated),
                    rowsPerSecond(),
                    elapsed.toNanos() / 1e9);
        }
    }
}

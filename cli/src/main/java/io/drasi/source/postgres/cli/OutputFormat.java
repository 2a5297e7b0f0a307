package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.mapping.json.JsonLines;
import io.drasi.source.postgres.model.SourceChange;

/** The JSON shape of each stdout line. */
enum OutputFormat {
    /** drasi-lib / seed: {@code {"type":"Insert","element":{"metadata":{...},"properties":{...}}}}. */
    seed,
    /** Drasi platform source wire format: {@code {"op":"i","payload":{"source":{...},"after":{...}}}}. */
    platform,
    /** drasi-server HTTP source event: {@code {"operation":"insert","element":{"type":"node",...}}}. */
    host;

    /**
     * Writes one change as a line.
     *
     * @param out    the lines
     * @param change the change
     * @param lsn    its WAL position (0 for bootstrap rows)
     * @param db     database name (platform format)
     * @return false (nothing written) when the format has no form for it (a TRUNCATE outside seed)
     */
    boolean write(JsonLines out, SourceChange change, long lsn, String db) {
        if (change instanceof SourceChange.Truncate && this != seed) {
            return false;
        }
        switch (this) {
            case seed -> out.seed(change);
            case platform -> {
                long now = System.currentTimeMillis() * 1_000_000L;
                out.platform(change, lsn, now, now, db);
            }
            case host -> out.host(change);
            default -> throw new IllegalStateException(name());
        }
        return true;
    }
}

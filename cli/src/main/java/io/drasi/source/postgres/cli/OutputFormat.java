package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.mapping.json.HostPushJson;
import io.drasi.source.postgres.mapping.json.PlatformWireJson;
import io.drasi.source.postgres.mapping.json.SeedJson;
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
     * @param change the change
     * @param lsn    its WAL position (0 for bootstrap rows)
     * @param db     database name (platform format)
     * @return one JSON line, or null when the format has no form for it (a TRUNCATE outside seed)
     */
    String encode(SourceChange change, long lsn, String db) {
        if (change instanceof SourceChange.Truncate && this != seed) {
            return null;
        }
        return switch (this) {
            case seed -> SeedJson.encode(change);
            case platform -> {
                long now = System.currentTimeMillis() * 1_000_000L;
                yield PlatformWireJson.encode(change, lsn, now, now, db);
            }
            case host -> HostPushJson.encode(change);
        };
    }
}

package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.PostgresSourceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the CLI keeps its state when the configuration does not say: the XDG state directory,
 * {@code $XDG_STATE_HOME/drasi-pg/} or else {@code ~/.local/state/drasi-pg/}, never the working directory (running
 * {@code drasi-pg stream} from a checkout used to leave {@code drasi-offsets/} behind). An offset file an earlier
 * version left at the old default ({@code ./drasi-offsets/{sourceId}.offsets}) keeps being used, with a WARN saying
 * where to move it, so an upgrade never loses the position.
 */
final class StateDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(StateDirectory.class);

    private StateDirectory() {}

    /** @return the CLI's state directory for this environment */
    static Path of(Map<String, String> env, Path home) {
        String xdg = env.get("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg)
                : home.resolve(".local").resolve("state");
        return base.resolve("drasi-pg");
    }

    /**
     * @param config   the loaded configuration
     * @param sourceId the source id
     * @return {@code config} unchanged when it names an offset store; else with the offset file in the state directory
     */
    static PostgresSourceConfig withDefaultOffsets(
            PostgresSourceConfig config, String sourceId, Map<String, String> env, Path home, Path workingDirectory) {
        if (!config.offsetStoreIsDefault()) {
            return config;
        }
        Path legacy = workingDirectory.resolve(config.offsetStoreFile(sourceId).orElseThrow());
        Path moved = of(env, home).resolve(sourceId + ".offsets");
        if (Files.exists(legacy) && !Files.exists(moved)) {
            LOG.warn(
                    "using the offset file {} an earlier version kept in the working directory; move it to {} (the"
                            + " default now) or set offset_store to keep it where it is",
                    legacy,
                    moved);
            return config.toBuilder().withOffsetStore(legacy).build();
        }
        return config.toBuilder().withOffsetStore(moved).build();
    }
}

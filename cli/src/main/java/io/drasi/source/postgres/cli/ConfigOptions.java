package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.config.ConfigFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --source-id}: shared by stream, bootstrap and check. */
final class ConfigOptions {

    @Option(
            names = {"-c", "--config"},
            required = true,
            paramLabel = "FILE",
            description = {
                "Source configuration, YAML: a seed/drasi-lib source (source_type: postgres + snake_case"
                        + " 'properties'), a drasi-server source entry (kind: postgres, id, camelCase keys), or a whole"
                        + " drasi-server file (its postgres entry under 'sources:'; the rest is ignored). Values may "
                        + "use"
                        + " $${VAR} and $${VAR:-default}."
            })
    Path config;

    @Option(
            names = "--source-id",
            paramLabel = "ID",
            description = "Source id put in every change (default: the file's 'id', else pg-source). In a whole"
                    + " drasi-server file: which 'sources:' entry to use (default: the only kind: postgres one).")
    String sourceId;

    /**
     * A loaded configuration and the source id to use.
     *
     * @param sourceId  the id put in every change
     * @param config    the validated configuration
     * @param autoStart the file's autoStart (true when it has none)
     */
    record Loaded(String sourceId, PostgresSourceConfig config, boolean autoStart) {}

    Loaded load() {
        if (!Files.isRegularFile(config)) {
            throw new ConfigurationException(List.of("config file " + config + " does not exist or is not a file:"
                    + " pass --config with the path of a YAML source configuration"));
        }
        if (sourceId != null && sourceId.isBlank()) {
            throw new ConfigurationException(List.of("--source-id must not be blank"));
        }
        ConfigFiles.LoadedConfig loaded = ConfigFiles.load(config, sourceId);
        String id = sourceId != null ? sourceId : loaded.sourceId().orElse("pg-source");
        // the library logs these at INFO, which the CLI shows only with --verbose; they matter to a migrating user
        loaded.notes().forEach(n -> System.err.println("drasi-pg: config: " + n));
        return new Loaded(id, loaded.config(), loaded.autoStart());
    }

    /**
     * {@link #load()} for a command that starts the source: refuses a file that says {@code autoStart: false}
     * unless forced, as drasi-server would not start that source.
     *
     * @param force the command's {@code --force}
     */
    Loaded loadToStart(String command, boolean force) {
        Loaded loaded = load();
        if (!loaded.autoStart()) {
            if (!force) {
                throw new ConfigurationException(List.of("source " + loaded.sourceId() + " has `autoStart: false` in "
                        + config + ", so drasi-server would not start it; pass --force to " + command
                        + " it anyway, or set `autoStart: true`"));
            }
            System.err.println("drasi-pg " + command + ": source " + loaded.sourceId()
                    + " has autoStart: false; starting it because of --force");
        }
        return loaded;
    }
}

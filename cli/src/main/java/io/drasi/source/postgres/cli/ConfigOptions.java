package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.ConfigFiles;
import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.PostgresSourceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --source-id}: shared by stream, bootstrap and check. */
final class ConfigOptions {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = {"Source configuration, YAML in either Drasi host format: seed/drasi-lib"
                    + " (source_type: postgres + snake_case 'properties') or drasi-server (kind: postgres, id,"
                    + " camelCase keys). Values may use $${VAR} and $${VAR:-default}."})
    Path config;

    @Option(names = "--source-id", paramLabel = "ID",
            description = "Source id put in every change (default: the file's 'id', else pg-source).")
    String sourceId;

    /** A loaded configuration and the source id to use. */
    record Loaded(String sourceId, PostgresSourceConfig config) {
    }

    Loaded load() {
        if (!Files.isRegularFile(config)) {
            throw new ConfigurationException(List.of("config file " + config + " does not exist or is not a file:"
                    + " pass --config with the path of a YAML source configuration"));
        }
        ConfigFiles.LoadedConfig loaded = ConfigFiles.load(config);
        String id = sourceId != null ? sourceId : loaded.sourceId().orElse("pg-source");
        if (id.isBlank()) {
            throw new ConfigurationException(List.of("--source-id must not be blank"));
        }
        return new Loaded(id, loaded.config());
    }
}

package io.drasi.source.postgres;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a {@link PostgresSourceConfig} from YAML, in either of the two Drasi host formats:
 *
 * <p><b>Seed / drasi-lib</b> ({@link Format#SEED}): {@code source_type: postgres}, an optional
 * {@code id}, optional {@code auto_start}, and the settings in snake_case under {@code properties:}.
 * <pre>{@code
 * source_type: postgres
 * id: pg-source
 * properties:
 *   host: db.example.com
 *   database: production
 *   user: replication_user
 *   password: ${PGPASSWORD}
 *   tables: [users, orders]
 *   table_keys:
 *     - table: orders
 *       key_columns: [order_id]
 * }</pre>
 *
 * <p><b>drasi-server</b> ({@link Format#DRASI_SERVER}): {@code kind: postgres}, a required {@code id},
 * optional {@code autoStart}, and the settings in camelCase at the top level
 * ({@code slotName}, {@code tableKeys: [{table, keyColumns}]}, ...).
 *
 * <p>In both formats every scalar value may use {@code ${VAR}} or {@code ${VAR:-default}}
 * (environment substitution after parsing; <code>$${</code> for a literal <code>${</code>). Durations
 * accept {@code 10ms}, {@code 2s}, {@code 1m}, {@code PT2S} or whole milliseconds. Unknown keys are
 * errors that suggest the closest valid key. All problems of a file (syntax aside) are reported
 * together in one {@link ConfigurationException}, keys spelt as in the file; the password is never
 * echoed.
 *
 * <p>Thread-safety: stateless; all methods may be called concurrently.
 */
public final class ConfigFiles {

    /** The YAML layout a configuration was written in. */
    public enum Format {
        /** Seed / drasi-lib: {@code source_type: postgres} + snake_case {@code properties}. */
        SEED,
        /** drasi-server: {@code kind: postgres}, {@code id}, camelCase keys at the top level. */
        DRASI_SERVER
    }

    /**
     * The result of loading a file.
     *
     * @param format    which layout the file used; never null
     * @param sourceId  the {@code id} from the file; always present for drasi-server, optional for seed
     * @param autoStart the host's {@code autoStart}/{@code auto_start} flag (default true); the
     *                  adapter itself does not act on it
     * @param config    the validated configuration; never null
     */
    public record LoadedConfig(Format format, Optional<String> sourceId, boolean autoStart,
                               PostgresSourceConfig config) {
        /**
         * @param format    the layout; never null
         * @param sourceId  the id, if the file has one; never null
         * @param autoStart the host's auto-start flag
         * @param config    the validated configuration; never null
         * @throws NullPointerException if a component is null
         */
        public LoadedConfig {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(sourceId, "sourceId");
            Objects.requireNonNull(config, "config");
        }
    }

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final String KIND = "kind";
    private static final String SOURCE_TYPE = "source_type";
    private static final String ID = "id";
    private static final String PROPERTIES = "properties";
    private static final String EXPECTED_TYPE = "postgres";

    private ConfigFiles() {
    }

    /**
     * Loads a file, substituting variables from the process environment.
     *
     * @param file the YAML file; never null
     * @return the source id and validated configuration; never null
     * @throws ConfigurationException if the file cannot be read or parsed, or lists every problem found
     */
    public static LoadedConfig load(Path file) {
        return load(file, System.getenv());
    }

    /**
     * Loads a file with an explicit environment.
     *
     * @param file the YAML file; never null
     * @param env  variables for {@code ${VAR}} substitution; never null
     * @return the source id and validated configuration; never null
     * @throws ConfigurationException if the file cannot be read or parsed, or lists every problem found
     */
    public static LoadedConfig load(Path file, Map<String, String> env) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException(List.of("configuration file '" + file + "' does not exist"), e);
        } catch (IOException e) {
            throw new ConfigurationException(List.of("cannot read configuration file '" + file + "': " + e), e);
        }
        return parse(text, env);
    }

    /**
     * Parses YAML text in either format.
     *
     * @param yaml the document; never null
     * @param env  variables for {@code ${VAR}} substitution; never null
     * @return the source id and validated configuration; never null
     * @throws ConfigurationException listing every problem found
     */
    public static LoadedConfig parse(String yaml, Map<String, String> env) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(env, "env");
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigurationException(List.of(syntaxError(e)), null);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigurationException(List.of("the configuration is empty; expected `" + SOURCE_TYPE
                    + ": postgres` + `" + PROPERTIES + ":` (seed format) or `" + KIND + ": postgres` + `" + ID
                    + ":` (drasi-server format)"));
        }
        if (!root.isObject()) {
            throw new ConfigurationException(List.of("the configuration must be a YAML mapping, got "
                    + ValueType.describe(root, true)));
        }
        boolean seed = root.has(SOURCE_TYPE);
        boolean server = root.has(KIND);
        if (seed && server) {
            throw new ConfigurationException(List.of("both `" + SOURCE_TYPE + "` (seed format) and `" + KIND
                    + "` (drasi-server format) are present; keep the one of the format you use"));
        }
        if (!seed && !server) {
            String hint = root.has("sources")
                    ? " This looks like a whole drasi-server file; pass a single source entry."
                    : "";
            throw new ConfigurationException(List.of("cannot tell the format: add `" + SOURCE_TYPE
                    + ": postgres` with snake_case keys under `" + PROPERTIES + ":` (seed format), or `" + KIND
                    + ": postgres` and `" + ID + ":` with camelCase keys (drasi-server format)." + hint));
        }
        return seed ? new Reader(Format.SEED, env).readSeed(root) : new Reader(Format.DRASI_SERVER, env).readServer(root);
    }

    private static String syntaxError(JsonProcessingException e) {
        // Only the first line of the parser's message: later lines quote the offending source line,
        // which could contain a password.
        String msg = Optional.ofNullable(e.getOriginalMessage()).orElse("invalid YAML").lines().findFirst()
                .orElse("invalid YAML").trim();
        int cut = msg.indexOf(" at [Source");
        if (cut >= 0) {
            msg = msg.substring(0, cut);
        }
        JsonLocation loc = e.getLocation();
        String where = loc == null || loc.getLineNr() < 1 ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        return "YAML syntax error" + where + ": " + msg;
    }

    /** One load: collects problems, fills a builder. */
    private static final class Reader {
        private final Format format;
        private final Naming naming;
        private final List<String> problems = new ArrayList<>();
        private final ValueType.ReadContext ctx;
        private final PostgresSourceBuilder builder = PostgresSourceConfig.builder();
        private final Set<ConfigKey<?>> failed = new HashSet<>();

        Reader(Format format, Map<String, String> env) {
            this.format = format;
            this.naming = format == Format.SEED ? Naming.SNAKE : Naming.CAMEL;
            this.ctx = new ValueType.ReadContext(env, naming, problems);
        }

        LoadedConfig readSeed(JsonNode root) {
            String autoStartKey = "auto_start";
            List<String> hostKeys = List.of(SOURCE_TYPE, ID, autoStartKey, PROPERTIES);
            Optional<String> id = Optional.empty();
            boolean autoStart = true;
            for (Map.Entry<String, JsonNode> e : root.properties()) {
                String name = e.getKey();
                switch (name) {
                    case SOURCE_TYPE -> checkType(SOURCE_TYPE, e.getValue());
                    case ID -> id = readId(e.getValue());
                    case "auto_start" -> autoStart = readBool(autoStartKey, e.getValue(), autoStart);
                    case PROPERTIES -> {
                    }
                    default -> {
                        if (ConfigKeys.find(name, Naming.SNAKE) != null) {
                            problems.add("`" + name + "` belongs under `" + PROPERTIES + ":` in the seed format; "
                                    + "indent it below `" + PROPERTIES + ":`");
                        } else {
                            unknownKey(name, hostKeys);
                        }
                    }
                }
            }
            JsonNode props = root.get(PROPERTIES);
            if (props == null || props.isNull()) {
                problems.add("`" + PROPERTIES + ":` is missing; put the settings (at least database, user and "
                        + "tables) under it");
            } else if (!props.isObject()) {
                problems.add("`" + PROPERTIES + "`: expected a mapping of settings, got " + ValueType.describe(props, true));
            } else {
                for (Map.Entry<String, JsonNode> e : props.properties()) {
                    ConfigKey<?> key = ConfigKeys.find(e.getKey(), naming);
                    if (key == null) {
                        unknownKey(e.getKey(), ConfigKeys.names(naming));
                    } else {
                        readInto(key, e.getValue());
                    }
                }
            }
            return finish(id, autoStart);
        }

        LoadedConfig readServer(JsonNode root) {
            String autoStartKey = "autoStart";
            List<String> hostKeys = List.of(KIND, ID, autoStartKey);
            List<String> allKeys = new ArrayList<>(hostKeys);
            allKeys.addAll(ConfigKeys.names(naming));
            Optional<String> id = Optional.empty();
            boolean autoStart = true;
            for (Map.Entry<String, JsonNode> e : root.properties()) {
                String name = e.getKey();
                ConfigKey<?> key = ConfigKeys.find(name, naming);
                if (key != null) {
                    readInto(key, e.getValue());
                    continue;
                }
                switch (name) {
                    case KIND -> checkType(KIND, e.getValue());
                    case ID -> id = readId(e.getValue());
                    case "autoStart" -> autoStart = readBool(autoStartKey, e.getValue(), autoStart);
                    case "bootstrapProvider" -> problems.add("`bootstrapProvider` is not supported: this source "
                            + "bootstraps itself from the replication slot's exported snapshot (no gap, no overlap); "
                            + "remove it");
                    case PROPERTIES -> problems.add("`" + PROPERTIES + ":` is the seed format; in the drasi-server "
                            + "format (`" + KIND + ":`) put the camelCase settings at the top level");
                    default -> unknownKey(name, allKeys);
                }
            }
            if (id.isEmpty() && !root.has(ID)) {
                problems.add("`" + ID + "` is missing; the drasi-server format needs the source id, e.g. `"
                        + ID + ": pg-source`");
            }
            return finish(id, autoStart);
        }

        private <T> void readInto(ConfigKey<T> key, JsonNode node) {
            try {
                T value = key.type().read(node, naming.of(key), key.secret(), ctx);
                key.set(builder, value);
            } catch (ValueType.ReadFailure f) {
                if (f.getMessage() != null) {
                    problems.add(f.getMessage());
                }
                failed.add(key);
            }
        }

        private void checkType(String name, JsonNode node) {
            try {
                String v = ctx.text(node, name, "`" + EXPECTED_TYPE + "`", false).trim();
                if (!EXPECTED_TYPE.equals(v)) {
                    problems.add("`" + name + "` is '" + v + "'; this loader reads PostgreSQL sources only, write `"
                            + name + ": " + EXPECTED_TYPE + "`");
                }
            } catch (ValueType.ReadFailure f) {
                problems.add(f.getMessage());
            }
        }

        private Optional<String> readId(JsonNode node) {
            try {
                String v = ctx.text(node, ID, "a source id", false).trim();
                if (v.isEmpty()) {
                    problems.add("`" + ID + "` is empty; give the source a name, e.g. pg-source");
                    return Optional.empty();
                }
                return Optional.of(v);
            } catch (ValueType.ReadFailure f) {
                problems.add(f.getMessage());
                return Optional.empty();
            }
        }

        private boolean readBool(String name, JsonNode node, boolean fallback) {
            try {
                return ValueType.BOOL.read(node, name, false, ctx);
            } catch (ValueType.ReadFailure f) {
                problems.add(f.getMessage());
                return fallback;
            }
        }

        private void unknownKey(String name, List<String> valid) {
            Naming other = naming == Naming.SNAKE ? Naming.CAMEL : Naming.SNAKE;
            ConfigKey<?> otherSpelling = ConfigKeys.find(name, other);
            if (otherSpelling != null) {
                problems.add("`" + name + "` is the " + (other == Naming.CAMEL ? "drasi-server (camelCase)" : "seed (snake_case)")
                        + " spelling; in the " + (format == Format.SEED ? "seed" : "drasi-server") + " format write `"
                        + naming.of(otherSpelling) + "`");
                return;
            }
            problems.add("`" + name + "` is not a known key; " + Suggestions.closest(name, valid)
                    .map(s -> "did you mean `" + s + "`?")
                    .orElse("valid keys: " + String.join(", ", valid)));
        }

        private LoadedConfig finish(Optional<String> id, boolean autoStart) {
            for (ConfigProblem p : builder.problems()) {
                if (p.key() == null || !failed.contains(p.key())) {
                    problems.add(p.render(naming));
                }
            }
            if (!problems.isEmpty()) {
                throw new ConfigurationException(problems);
            }
            return new LoadedConfig(format, id, autoStart, new PostgresSourceConfig(builder));
        }
    }
}

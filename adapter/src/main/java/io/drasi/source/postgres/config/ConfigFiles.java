package io.drasi.source.postgres.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.PostgresSourceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p><b>A whole drasi-server file</b> ({@link Format#DRASI_SERVER_FILE}): the server keys, {@code sources:},
 * {@code queries:}, {@code reactions:}, ... as drasi-server reads it. The source is the {@code sources:}
 * entry (top level or under {@code instances:}) whose {@code id} is the id argument, else the only entry
 * with {@code kind: postgres}; everything else in the file is ignored.
 *
 * <p>drasi-server entries accept every field drasi-server accepts on a postgres source: {@code autoStart}
 * is returned ({@link LoadedConfig#autoStart()}); {@code bootstrapProvider} of {@code kind: postgres}
 * pointing at the source's own host, port and database (inline, inheriting the source's fields as
 * drasi-server does, or by name from {@code bootstrapProviders:}) is served by this source's own
 * exported-snapshot bootstrap, with what in it is ignored (and why) logged at INFO and listed in
 * {@link LoadedConfig#notes()}; one pointing elsewhere or of another kind is refused naming why;
 * {@code identityProvider} is ignored (the native postgres source does not use it either).
 *
 * <p>Environment references: in the seed format every {@code ${VAR}} / {@code ${VAR:-default}} inside
 * a scalar is substituted (<code>$${</code> for a literal <code>${</code>; an empty variable takes the
 * default). In the drasi-server formats they resolve as drasi-server resolves them: a value that is
 * exactly {@code ${VAR}} or {@code ${VAR:-default}} (or {@code {kind: EnvironmentVariable, name,
 * default}}), a set variable winning even when empty; text around a reference keeps it literal. Durations
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
        DRASI_SERVER,
        /** A whole drasi-server configuration file; the source is one entry of its {@code sources:}. */
        DRASI_SERVER_FILE
    }

    /**
     * The result of loading a file.
     *
     * @param format    which layout the file used; never null
     * @param sourceId  the {@code id} from the file; always present for drasi-server, optional for seed
     * @param autoStart the host's {@code autoStart}/{@code auto_start} flag (default true); the
     *                  adapter itself does not act on it
     * @param config    the validated configuration; never null
     * @param notes     what of the file was accepted but is ignored or served differently, and why (each
     *                  also logged at INFO); never null, immutable
     */
    public record LoadedConfig(
            Format format,
            Optional<String> sourceId,
            boolean autoStart,
            PostgresSourceConfig config,
            List<String> notes) {
        /**
         * @param format    the layout; never null
         * @param sourceId  the id, if the file has one; never null
         * @param autoStart the host's auto-start flag
         * @param config    the validated configuration; never null
         * @param notes     accepted-but-ignored fields and why; never null
         * @throws NullPointerException if a component is null
         */
        public LoadedConfig {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(sourceId, "sourceId");
            Objects.requireNonNull(config, "config");
            notes = List.copyOf(notes);
        }

        /**
         * A result without notes.
         *
         * @param format    the layout; never null
         * @param sourceId  the id, if the file has one; never null
         * @param autoStart the host's auto-start flag
         * @param config    the validated configuration; never null
         */
        public LoadedConfig(Format format, Optional<String> sourceId, boolean autoStart, PostgresSourceConfig config) {
            this(format, sourceId, autoStart, config, List.of());
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
    private static final String SOURCES = "sources";
    private static final String INSTANCES = "instances";
    private static final String BOOTSTRAP_PROVIDER = "bootstrapProvider";
    private static final String BOOTSTRAP_PROVIDERS = "bootstrapProviders";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigFiles.class);

    private ConfigFiles() {}

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
        return load(file, null, env);
    }

    /**
     * Loads a file, substituting variables from the process environment, choosing the source by id in a
     * whole drasi-server file.
     *
     * @param file     the YAML file; never null
     * @param sourceId in a whole drasi-server file, the {@code id} of the {@code sources:} entry to use;
     *                 null = the only {@code kind: postgres} entry. Not used by single-entry files.
     * @return the source id and validated configuration; never null
     * @throws ConfigurationException if the file cannot be read or parsed, or lists every problem found
     */
    public static LoadedConfig load(Path file, String sourceId) {
        return load(file, sourceId, System.getenv());
    }

    /**
     * Loads a file with an explicit environment, choosing the source by id in a whole drasi-server file.
     *
     * @param file     the YAML file; never null
     * @param sourceId in a whole drasi-server file, the {@code id} of the {@code sources:} entry to use;
     *                 null = the only {@code kind: postgres} entry. Not used by single-entry files.
     * @param env      variables for {@code ${VAR}} substitution; never null
     * @return the source id and validated configuration; never null
     * @throws ConfigurationException if the file cannot be read or parsed, or lists every problem found
     */
    public static LoadedConfig load(Path file, String sourceId, Map<String, String> env) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException(List.of("configuration file '" + file + "' does not exist"), e);
        } catch (IOException e) {
            throw new ConfigurationException(List.of("cannot read configuration file '" + file + "': " + e), e);
        }
        return parse(text, sourceId, env);
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
        return parse(yaml, null, env);
    }

    /**
     * Parses YAML text in any of the formats, choosing the source by id in a whole drasi-server file.
     *
     * @param yaml     the document; never null
     * @param sourceId in a whole drasi-server file, the {@code id} of the {@code sources:} entry to use;
     *                 null = the only {@code kind: postgres} entry. Not used by single-entry files.
     * @param env      variables for {@code ${VAR}} substitution; never null
     * @return the source id and validated configuration; never null
     * @throws ConfigurationException listing every problem found
     */
    public static LoadedConfig parse(String yaml, String sourceId, Map<String, String> env) {
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
            throw new ConfigurationException(
                    List.of("the configuration must be a YAML mapping, got " + KeyType.describe(root, true)));
        }
        boolean seed = root.has(SOURCE_TYPE);
        boolean server = root.has(KIND);
        if (seed && server) {
            throw new ConfigurationException(List.of("both `" + SOURCE_TYPE + "` (seed format) and `" + KIND
                    + "` (drasi-server format) are present; keep the one of the format you use"));
        }
        if (!seed && !server) {
            if (root.has(SOURCES) || root.has(INSTANCES)) {
                ServerFile.Entry entry = ServerFile.select(root, sourceId);
                return new Reader(Format.DRASI_SERVER_FILE, env).readServer(entry.node(), entry);
            }
            throw new ConfigurationException(List.of("cannot tell the format: add `" + SOURCE_TYPE
                    + ": postgres` with snake_case keys under `" + PROPERTIES + ":` (seed format), or `" + KIND
                    + ": postgres` and `" + ID + ":` with camelCase keys (drasi-server source entry), or pass a"
                    + " whole drasi-server file (with `" + SOURCES + ":`)"));
        }
        return seed
                ? new Reader(Format.SEED, env).readSeed(root)
                : new Reader(Format.DRASI_SERVER, env).readServer(root, null);
    }

    private static String syntaxError(JsonProcessingException e) {
        // Only the first line of the parser's message: later lines quote the offending source line,
        // which could contain a password.
        String msg = Optional.ofNullable(e.getOriginalMessage())
                .orElse("invalid YAML")
                .lines()
                .findFirst()
                .orElse("invalid YAML")
                .trim();
        int cut = msg.indexOf(" at [Source");
        if (cut >= 0) {
            msg = msg.substring(0, cut);
        }
        JsonLocation loc = e.getLocation();
        String where = loc == null || loc.getLineNr() < 1
                ? ""
                : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        return "YAML syntax error" + where + ": " + msg;
    }

    /** One load: collects problems, fills a builder. */
    private static final class Reader {
        private final Format format;
        private final Naming naming;
        private final List<String> problems = new ArrayList<>();
        private final KeyType.ReadContext ctx;
        private final PostgresSourceBuilder builder = PostgresSourceConfig.builder();
        private final Set<ConfigKey<?>> failed = new HashSet<>();
        private final List<String> notes = new ArrayList<>();
        private String where = "";

        Reader(Format format, Map<String, String> env) {
            this.format = format;
            this.naming = format == Format.SEED ? Naming.SNAKE : Naming.CAMEL;
            this.ctx = new KeyType.ReadContext(env, naming, problems);
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
                    case PROPERTIES -> {}
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
                problems.add(
                        "`" + PROPERTIES + "`: expected a mapping of settings, got " + KeyType.describe(props, true));
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

        LoadedConfig readServer(JsonNode root, ServerFile.Entry entry) {
            String autoStartKey = "autoStart";
            String identityProvider = "identityProvider";
            List<String> hostKeys = List.of(KIND, ID, autoStartKey, BOOTSTRAP_PROVIDER, identityProvider);
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
                    case BOOTSTRAP_PROVIDER ->
                        ServerBootstrapProvider.check(
                                e.getValue(),
                                root,
                                entry != null,
                                entry == null ? null : entry.bootstrapProviders(),
                                ctx.env,
                                problems,
                                notes);
                    case "identityProvider" ->
                        notes.add("`" + identityProvider + "` ignored: the postgres source "
                                + "authenticates with `user` and `password` (the native postgres source does not use "
                                + "identity providers either)");
                    case "auto_start", "bootstrap_provider", "identity_provider" ->
                        problems.add("`" + name
                                + "` is not a drasi-server field; write `"
                                + switch (name) {
                                    case "auto_start" -> autoStartKey;
                                    case "bootstrap_provider" -> BOOTSTRAP_PROVIDER;
                                    default -> identityProvider;
                                }
                                + "`");
                    case PROPERTIES ->
                        problems.add("`" + PROPERTIES + ":` is the seed format; in the drasi-server " + "format (`"
                                + KIND + ":`) put the camelCase settings at the top level");
                    default -> unknownKey(name, allKeys);
                }
            }
            if (id.isEmpty() && !root.has(ID)) {
                problems.add("`" + ID + "` is missing; the drasi-server format needs the source id, e.g. `" + ID
                        + ": pg-source`");
            }
            if (entry != null) {
                where = "source " + entry.id() + " (" + entry.where() + "): ";
            }
            return finish(id, autoStart);
        }

        private <T> void readInto(ConfigKey<T> key, JsonNode node) {
            try {
                T value = key.type().read(node, naming.of(key), key.secret(), ctx);
                key.set(builder, value);
            } catch (KeyType.ReadFailure f) {
                if (f.getMessage() != null) {
                    problems.add(f.getMessage());
                }
                failed.add(key);
            }
        }

        private void checkType(String name, JsonNode node) {
            try {
                String v =
                        ctx.text(node, name, "`" + EXPECTED_TYPE + "`", false).trim();
                if (!EXPECTED_TYPE.equals(v)) {
                    problems.add("`" + name + "` is '" + v + "'; this loader reads PostgreSQL sources only, write `"
                            + name + ": " + EXPECTED_TYPE + "`");
                }
            } catch (KeyType.ReadFailure f) {
                problems.add(f.getMessage());
            }
        }

        private Optional<String> readId(JsonNode node) {
            try {
                // drasi-server takes `id` literally (no ${VAR}); the seed format substitutes as everywhere
                String v = (format == Format.SEED
                                ? ctx.text(node, ID, "a source id", false)
                                : literal(node, ID, "a source id"))
                        .trim();
                if (v.isEmpty()) {
                    problems.add("`" + ID + "` is empty; give the source a name, e.g. pg-source");
                    return Optional.empty();
                }
                return Optional.of(v);
            } catch (KeyType.ReadFailure f) {
                problems.add(f.getMessage());
                return Optional.empty();
            }
        }

        private static String literal(JsonNode node, String name, String expected) throws KeyType.ReadFailure {
            if (node == null || !node.isValueNode() || node.isNull()) {
                throw new KeyType.ReadFailure(
                        "`" + name + "`: expected " + expected + ", got " + KeyType.describe(node, false));
            }
            return node.asText();
        }

        private boolean readBool(String name, JsonNode node, boolean fallback) {
            try {
                return KeyType.BOOL.read(node, name, false, ctx);
            } catch (KeyType.ReadFailure f) {
                problems.add(f.getMessage());
                return fallback;
            }
        }

        private void unknownKey(String name, List<String> valid) {
            Naming other = naming == Naming.SNAKE ? Naming.CAMEL : Naming.SNAKE;
            ConfigKey<?> otherSpelling = ConfigKeys.find(name, other);
            if (otherSpelling != null) {
                problems.add("`" + name + "` is the "
                        + (other == Naming.CAMEL ? "drasi-server (camelCase)" : "seed (snake_case)")
                        + " spelling; in the " + (format == Format.SEED ? "seed" : "drasi-server") + " format write `"
                        + naming.of(otherSpelling) + "`");
                return;
            }
            problems.add("`" + name + "` is not a known key; "
                    + Suggestions.closest(name, valid)
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
                throw new ConfigurationException(
                        problems.stream().map(p -> where + p).toList());
            }
            for (String note : notes) {
                LOG.info("{}{}", where, note);
            }
            return new LoadedConfig(
                    format,
                    id,
                    autoStart,
                    new PostgresSourceConfig(builder),
                    notes.stream().map(n -> where + n).toList());
        }
    }
}

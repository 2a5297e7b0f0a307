package io.drasi.source.postgres.platform;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.config.ConfigKeys;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.model.TableId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration as the Drasi platform passes it: every {@code spec.properties} key of the Source
 * resource becomes an environment variable of the same name, plus {@code SOURCE_ID}.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>maps to</th><th>default</th></tr>
 *   <tr><td>{@code SOURCE_ID}</td><td>source id (element {@code source_id}, wire {@code db})</td><td>required</td></tr>
 *   <tr><td>{@code host}</td><td>{@link PostgresSourceBuilder#withHost}</td><td>{@code localhost}</td></tr>
 *   <tr><td>{@code port}</td><td>{@link PostgresSourceBuilder#withPort}</td><td>5432</td></tr>
 *   <tr><td>{@code user}</td><td>{@link PostgresSourceBuilder#withUser}</td><td>required</td></tr>
 *   <tr><td>{@code password}</td><td>{@link PostgresSourceBuilder#withPassword}</td><td>empty</td></tr>
 *   <tr><td>{@code database}</td><td>{@link PostgresSourceBuilder#withDatabase}</td><td>required</td></tr>
 *   <tr><td>{@code tables}</td><td>{@link PostgresSourceBuilder#withTables}: comma-separated, or a JSON
 *       array of strings</td><td>required</td></tr>
 *   <tr><td>{@code ssl}</td><td>{@code true} = ssl mode {@code require}, {@code false} = {@code disable}</td>
 *       <td>{@code false}</td></tr>
 *   <tr><td>{@code sslMode}</td><td>optional override of {@code ssl} with any libpq mode
 *       ({@code verify-full} ...)</td><td>-</td></tr>
 *   <tr><td>{@code slotName}</td><td>replication slot</td><td>{@code drasi_} + SOURCE_ID folded to
 *       {@code [a-z0-9_]}</td></tr>
 *   <tr><td>{@code publicationName}</td><td>publication</td><td>slot name + {@code _pub}</td></tr>
 * </table>
 *
 * <p>Debezium offsets are kept in memory: the reactivator's position lives in the SDK's state store
 * and the replication slot (see {@link PostgresChangeMonitor}).
 *
 * <p>Thread-safety: stateless.
 */
public final class PlatformConfig {

    /** The environment variable holding the Drasi source id. */
    public static final String SOURCE_ID = "SOURCE_ID";

    private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private PlatformConfig() {}

    /**
     * @param env the environment; never null
     * @return {@code SOURCE_ID}
     * @throws ConfigurationException when it is missing or blank
     */
    public static String sourceId(Map<String, String> env) {
        String id = env.get(SOURCE_ID);
        if (id == null || id.isBlank()) {
            throw new ConfigurationException(
                    List.of("SOURCE_ID: required (the Drasi platform sets it for every source)"));
        }
        return id.trim();
    }

    /**
     * Maps the environment onto the builder and validates; every problem is reported at once.
     *
     * @param env the environment; never null
     * @return the validated configuration
     * @throws ConfigurationException listing every problem
     */
    public static PostgresSourceConfig fromEnv(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        List<String> problems = new ArrayList<>();
        String sourceId = null;
        try {
            sourceId = sourceId(env);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        PostgresSourceBuilder b = PostgresSourceConfig.builder().withInMemoryOffsets();
        value(env, ConfigKeys.HOST.camelName()).ifPresent(b::withHost);
        value(env, ConfigKeys.PORT.camelName()).ifPresent(p -> {
            try {
                b.withPort(Integer.parseInt(p));
            } catch (NumberFormatException e) {
                problems.add(ConfigKeys.PORT.camelName() + ": '" + p + "' is not a number");
            }
        });
        value(env, ConfigKeys.USER.camelName()).ifPresent(b::withUser);
        b.withPassword(env.getOrDefault(ConfigKeys.PASSWORD.camelName(), ""));
        value(env, ConfigKeys.DATABASE.camelName()).ifPresent(b::withDatabase);
        value(env, ConfigKeys.TABLES.camelName()).ifPresent(t -> b.withTables(tables(t)));
        String ssl = value(env, "ssl").orElse("false").toLowerCase(Locale.ROOT);
        switch (ssl) {
            case "true" -> b.withSslMode(SslMode.REQUIRE);
            case "false" -> b.withSslMode(SslMode.DISABLE);
            default -> problems.add("ssl: '" + ssl + "' must be true or false");
        }
        value(env, ConfigKeys.SSL_MODE.camelName()).ifPresent(m -> {
            try {
                b.withSslMode(SslMode.fromValue(m));
            } catch (IllegalArgumentException e) {
                problems.add(ConfigKeys.SSL_MODE.camelName() + ": " + e.getMessage());
            }
        });
        String slot = value(env, ConfigKeys.SLOT_NAME.camelName())
                .orElse(sourceId == null ? null : defaultSlotName(sourceId));
        if (slot != null) {
            b.withSlotName(slot);
        }
        value(env, ConfigKeys.PUBLICATION_NAME.camelName())
                .or(() -> java.util.Optional.ofNullable(slot == null ? null : slot + "_pub"))
                .ifPresent(b::withPublicationName);
        try {
            b.validate();
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return b.build();
    }

    /**
     * @param sourceId the Drasi source id
     * @return {@code drasi_} + the id lower-cased with every other character than {@code a-z0-9_} replaced
     *     by {@code _}, cut to 63 characters (PostgreSQL's limit)
     */
    public static String defaultSlotName(String sourceId) {
        String folded = "drasi_" + sourceId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return folded.length() > TableId.MAX_IDENTIFIER_BYTES
                ? folded.substring(0, TableId.MAX_IDENTIFIER_BYTES)
                : folded;
    }

    /**
     * @param text {@code a, b.c} or {@code ["a","b.c"]}
     * @return the table names, trimmed, empty entries dropped
     */
    static List<String> tables(String text) {
        String t = text.trim();
        if (t.startsWith("[")) {
            List<String> out = new ArrayList<>();
            Matcher m = JSON_STRING.matcher(t);
            while (m.find()) {
                out.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\").trim());
            }
            return out.stream().filter(s -> !s.isEmpty()).toList();
        }
        return Arrays.stream(t.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static java.util.Optional<String> value(Map<String, String> env, String key) {
        String v = env.get(key);
        return v == null || v.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(v.trim());
    }
}

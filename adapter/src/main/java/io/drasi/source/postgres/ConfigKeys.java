package io.drasi.source.postgres;

import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.mapping.value.UnmappableValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry of every configuration key, each defined exactly once. Order is the documentation
 * order. Everything else derives from here: the builder's initial values, both YAML loaders, the
 * config's {@code equals}/{@code hashCode}/{@code toString}, and {@link #markdownTable()} (the README
 * table).
 */
final class ConfigKeys {

    private ConfigKeys() {
    }

    private static final boolean REQUIRED = true;
    private static final boolean OPTIONAL = false;
    private static final boolean SECRET = true;
    private static final boolean PLAIN = false;
    private static final boolean NULLABLE = true;
    private static final boolean NOT_NULL = false;

    /** The default offset file, relative to the working directory; {@code {sourceId}} is replaced. */
    static final String SOURCE_ID_PLACEHOLDER = "{sourceId}";
    static final String DEFAULT_OFFSET_STORE = "drasi-offsets/" + SOURCE_ID_PLACEHOLDER + ".offsets";
    /** The {@code offset_store} value that keeps offsets in memory only. */
    static final String IN_MEMORY_OFFSET_STORE = "memory";

    static final ConfigKey<String> HOST = new ConfigKey<>("host", ValueType.STRING, "localhost", "`localhost`",
            "PostgreSQL host name or IP address.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::host, PostgresSourceBuilder::withHost);

    static final ConfigKey<Integer> PORT = new ConfigKey<>("port", ValueType.INT, 5432, "`5432`",
            "PostgreSQL port (1-65535).",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::port, PostgresSourceBuilder::withPort);

    static final ConfigKey<String> DATABASE = new ConfigKey<>("database", ValueType.STRING, null, "required",
            "Database to replicate from.",
            REQUIRED, PLAIN, NOT_NULL, PostgresSourceConfig::database, PostgresSourceBuilder::withDatabase);

    static final ConfigKey<String> USER = new ConfigKey<>("user", ValueType.STRING, null, "required",
            "Database user; needs the REPLICATION attribute and SELECT on the tables "
                    + "(and CREATE on the database if the publication must be created).",
            REQUIRED, PLAIN, NOT_NULL, PostgresSourceConfig::user, PostgresSourceBuilder::withUser);

    static final ConfigKey<String> PASSWORD = new ConfigKey<>("password", ValueType.STRING, "", "`\"\"`",
            "Password of `user`; masked in `toString()`, never echoed in errors or logs. "
                    + "In YAML prefer `${PGPASSWORD}`.",
            OPTIONAL, SECRET, NOT_NULL, PostgresSourceConfig::password, PostgresSourceBuilder::withPassword);

    static final ConfigKey<List<String>> TABLES = new ConfigKey<>("tables", ValueType.STRING_LIST, List.of(),
            "required (at least one)",
            "Tables to capture: `table` (schema `public`), `schema.table`, or quoted `\"Odd Schema\".\"T\"`; "
                    + "unquoted names fold to lower case; a name may not begin or end with `\"` (Debezium cannot "
                    + "parse it). The publication covers exactly these tables, so at "
                    + "least one is required (the seed's empty default would capture nothing).",
            REQUIRED, PLAIN, NOT_NULL, PostgresSourceConfig::tables, PostgresSourceBuilder::withTables);

    static final ConfigKey<String> SLOT_NAME = new ConfigKey<>("slot_name", ValueType.STRING, "drasi_slot",
            "`drasi_slot`",
            "Logical replication slot (created if missing); 1-63 characters of `a-z`, `0-9`, `_`. "
                    + "One slot per source.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::slotName, PostgresSourceBuilder::withSlotName);

    static final ConfigKey<String> PUBLICATION_NAME = new ConfigKey<>("publication_name", ValueType.STRING,
            "drasi_publication", "`drasi_publication`",
            "Publication (created for exactly `tables` if missing); lower-case identifier of at most 63 bytes.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::publicationName,
            PostgresSourceBuilder::withPublicationName);

    static final ConfigKey<SslMode> SSL_MODE = new ConfigKey<>("ssl_mode", ValueType.SSL_MODE, SslMode.PREFER,
            "`prefer`",
            "TLS for all connections (replication included). `verify-ca`/`verify-full` need `ssl_root_cert`.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::sslMode, PostgresSourceBuilder::withSslMode);

    static final ConfigKey<Path> SSL_ROOT_CERT = new ConfigKey<>("ssl_root_cert", ValueType.PATH, null, "none",
            "PEM file of the CA that signed the server certificate; must exist. Required for `verify-ca` "
                    + "and `verify-full`.",
            OPTIONAL, PLAIN, NULLABLE, c -> c.sslRootCert().orElse(null), PostgresSourceBuilder::withSslRootCert);

    static final ConfigKey<List<TableKeyConfig>> TABLE_KEYS = new ConfigKey<>("table_keys", ValueType.TABLE_KEYS,
            List.of(), "`[]`",
            "Key columns per table, overriding the primary key (and required for tables without one): "
                    + "`{table, key_columns}` (`keyColumns` in drasi-server YAML); each `table` must be in `tables`.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::tableKeys, PostgresSourceBuilder::withTableKeys);

    static final ConfigKey<String> OFFSET_STORE = new ConfigKey<>("offset_store", ValueType.STRING,
            DEFAULT_OFFSET_STORE, "`" + DEFAULT_OFFSET_STORE + "`",
            "File that persists the acknowledged stream position; relative paths resolve against the working "
                    + "directory and `{sourceId}` is replaced by the source id. `memory` keeps it in memory only: "
                    + "after a restart the stream resumes from the slot's `confirmed_flush_lsn`, which can repeat "
                    + "more changes. The `drasi-pg` CLI, when this key is not set, keeps the file in "
                    + "`$XDG_STATE_HOME/drasi-pg/` (else `~/.local/state/drasi-pg/`) instead.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::offsetStore, PostgresSourceBuilder::withOffsetStore);

    static final ConfigKey<Duration> POLL_INTERVAL = new ConfigKey<>("poll_interval", ValueType.DURATION,
            Duration.ofMillis(10), "`10ms`",
            "Busy linger: under a steady stream of changes the engine waits this long before taking the next "
                    + "batch, so changes are delivered in batches (less CPU per change, up to this much more latency)."
                    + " Idle or sparse changes are not delayed: the source wakes when data arrives (measured idle "
                    + "CPU and latency: docs/PERFORMANCE.md). Also the polling period if the replication socket "
                    + "cannot be waited on (logged at WARN). At least 1ms.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::pollInterval, PostgresSourceBuilder::withPollInterval);

    static final ConfigKey<Integer> MAX_BATCH_SIZE = new ConfigKey<>("max_batch_size", ValueType.INT, 2048,
            "`2048`",
            "Most changes handed to the sink in one batch.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::maxBatchSize, PostgresSourceBuilder::withMaxBatchSize);

    static final ConfigKey<Integer> MAX_QUEUE_SIZE = new ConfigKey<>("max_queue_size", ValueType.INT, 8192,
            "`8192`",
            "Most changes buffered between the WAL reader and the sink (bounds memory); must exceed "
                    + "`max_batch_size`.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::maxQueueSize, PostgresSourceBuilder::withMaxQueueSize);

    static final ConfigKey<Duration> HEARTBEAT_INTERVAL = new ConfigKey<>("heartbeat_interval", ValueType.DURATION,
            Duration.ofSeconds(10), "`10s`",
            "Heartbeat period that keeps the slot advancing while the captured tables are idle, so the server "
                    + "does not retain WAL; `0` disables.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::heartbeatInterval,
            PostgresSourceBuilder::withHeartbeatInterval);

    static final ConfigKey<Duration> OFFSET_FLUSH_INTERVAL = new ConfigKey<>("offset_flush_interval",
            ValueType.DURATION, Duration.ZERO, "`0`",
            "How often acknowledged positions are written to the offset store and the slot; `0` = after every "
                    + "acknowledged batch (fewest duplicates after a crash).",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::offsetFlushInterval,
            PostgresSourceBuilder::withOffsetFlushInterval);

    static final ConfigKey<Duration> CONNECT_TIMEOUT = new ConfigKey<>("connect_timeout", ValueType.DURATION,
            Duration.ofSeconds(10), "`10s`",
            "Timeout for opening a connection (the JDBC driver counts whole seconds).",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::connectTimeout, PostgresSourceBuilder::withConnectTimeout);

    static final ConfigKey<Duration> RECONNECT_BACKOFF_INITIAL = new ConfigKey<>("reconnect_backoff_initial",
            ValueType.DURATION, Duration.ofSeconds(1), "`1s`",
            "First wait before reconnecting after a lost connection; later waits grow up to `reconnect_backoff_max`.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::reconnectBackoffInitial,
            PostgresSourceBuilder::withReconnectBackoffInitial);

    static final ConfigKey<Duration> RECONNECT_BACKOFF_MAX = new ConfigKey<>("reconnect_backoff_max",
            ValueType.DURATION, Duration.ofSeconds(30), "`30s`",
            "Longest wait between reconnect attempts; at least `reconnect_backoff_initial`.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::reconnectBackoffMax,
            PostgresSourceBuilder::withReconnectBackoffMax);

    static final ConfigKey<Boolean> DECIMAL_AS_STRING = new ConfigKey<>("decimal_as_string", ValueType.BOOL,
            false, "`false`",
            "`numeric`/`decimal`/`money` as exact strings instead of floats (`false` = float, as the native "
                    + "source).",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::decimalAsString,
            PostgresSourceBuilder::withDecimalAsString);

    static final ConfigKey<UnmappableValues> UNMAPPABLE_VALUES = new ConfigKey<>("unmappable_values",
            ValueType.UNMAPPABLE_VALUES, UnmappableValues.FAIL, "`fail`",
            "A column value the value table cannot convert: `fail` stops the source (state `FAILED`) naming "
                    + "`schema.table.column`, the type, the LSN and the fix, without advancing the position past "
                    + "the change; `text` delivers PostgreSQL's text form as a string, warns once per column and "
                    + "counts it in `stats().unmappableValues()`.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::unmappableValues,
            PostgresSourceBuilder::withUnmappableValues);

    static final ConfigKey<GeneratedColumns> GENERATED_COLUMNS = new ConfigKey<>("generated_columns",
            ValueType.GENERATED_COLUMNS, GeneratedColumns.INCLUDE, "`include`",
            "Stored generated columns as properties, in bootstrap and stream. PostgreSQL 18+ publishes them "
                    + "(`publish_generated_columns = stored` on the publication the source creates); before 18 the "
                    + "source reads them by key after each change (one query per table per batch). `omit` leaves "
                    + "them out everywhere.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::generatedColumns,
            PostgresSourceBuilder::withGeneratedColumns);

    static final ConfigKey<Map<String, String>> DEBEZIUM_PROPERTIES = new ConfigKey<>("debezium_properties",
            ValueType.STRING_MAP, Map.of(), "`{}`",
            "Extra Debezium properties, allow-listed: " + String.join(", ",
                    new java.util.TreeSet<>(DebeziumProperties.Passthrough.ALLOWED.keySet()).stream()
                            .map(k -> "`" + k + "`").toList())
                    + ". `driver.*`, `database.*` and anything else are refused.",
            OPTIONAL, PLAIN, NOT_NULL, PostgresSourceConfig::debeziumProperties,
            PostgresSourceBuilder::withDebeziumProperties);

    /** Every key, in documentation order. */
    static final List<ConfigKey<?>> ALL = List.of(HOST, PORT, DATABASE, USER, PASSWORD, TABLES, SLOT_NAME,
            PUBLICATION_NAME, SSL_MODE, SSL_ROOT_CERT, TABLE_KEYS, OFFSET_STORE, POLL_INTERVAL, MAX_BATCH_SIZE,
            MAX_QUEUE_SIZE, HEARTBEAT_INTERVAL, OFFSET_FLUSH_INTERVAL, CONNECT_TIMEOUT, RECONNECT_BACKOFF_INITIAL,
            RECONNECT_BACKOFF_MAX, DECIMAL_AS_STRING, GENERATED_COLUMNS, UNMAPPABLE_VALUES, DEBEZIUM_PROPERTIES);

    private static final Map<String, ConfigKey<?>> BY_SNAKE = index(ConfigKey::snakeName);
    private static final Map<String, ConfigKey<?>> BY_CAMEL = index(ConfigKey::camelName);

    private static Map<String, ConfigKey<?>> index(Function<ConfigKey<?>, String> name) {
        Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
        for (ConfigKey<?> k : ALL) {
            if (m.put(name.apply(k), k) != null) {
                throw new IllegalStateException("duplicate config key " + name.apply(k));
            }
        }
        return Map.copyOf(m);
    }

    /** @return the key with this snake_case name; throws if there is none (a programming error) */
    static ConfigKey<?> bySnakeName(String snake) {
        ConfigKey<?> k = BY_SNAKE.get(snake);
        if (k == null) {
            throw new IllegalArgumentException("no config key " + snake);
        }
        return k;
    }

    /** @return the key with this name in the given spelling, or null */
    static ConfigKey<?> find(String name, Naming naming) {
        return (naming == Naming.SNAKE ? BY_SNAKE : BY_CAMEL).get(name);
    }

    /** @return every key name in the given spelling, in documentation order */
    static List<String> names(Naming naming) {
        return ALL.stream().map(naming::of).toList();
    }

    /**
     * The README table of every key: both spellings, builder method, type, default, description.
     *
     * @return a GitHub-flavoured Markdown table, one row per key, ending with a newline
     */
    static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Seed key (`properties:`) | drasi-server key | Java builder | Type | Default | Description |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (ConfigKey<?> k : ALL) {
            sb.append("| `").append(k.snakeName()).append("` | `").append(k.camelName()).append("` | `")
                    .append(k.builderMethod()).append("` | ").append(cell(k.type().docName())).append(" | ")
                    .append(cell(k.defaultText())).append(" | ")
                    .append(cell((k.secret() ? "**Secret.** " : "") + k.doc())).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String text) {
        // escape pipes not already escaped
        return text.replaceAll("(?<!\\\\)\\|", "\\\\|");
    }
}

package io.drasi.source.postgres.config;

import io.drasi.source.postgres.GeneratedColumns;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.SlotLossPolicy;
import io.drasi.source.postgres.TableKeyConfig;
import io.drasi.source.postgres.TableRemovedPolicy;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.engine.DebeziumProperties;
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
public final class ConfigKeys {

    private ConfigKeys() {}

    private static final boolean REQUIRED = true;
    private static final boolean OPTIONAL = false;
    private static final boolean SECRET = true;
    private static final boolean PLAIN = false;
    private static final boolean NULLABLE = true;
    private static final boolean NOT_NULL = false;

    /** The default offset file, relative to the working directory; {@code {sourceId}} is replaced. */
    public static final String SOURCE_ID_PLACEHOLDER = "{sourceId}";

    public static final String DEFAULT_OFFSET_STORE = "drasi-offsets/" + SOURCE_ID_PLACEHOLDER + ".offsets";
    /** The {@code offset_store} value that keeps offsets in memory only. */
    public static final String IN_MEMORY_OFFSET_STORE = "memory";

    public static final ConfigKey<String> HOST = new ConfigKey<>(
            "host",
            KeyType.STRING,
            "localhost",
            "`localhost`",
            "PostgreSQL host name or IP address.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::host,
            PostgresSourceBuilder::withHost);

    public static final ConfigKey<Integer> PORT = new ConfigKey<>(
            "port",
            KeyType.INT,
            5432,
            "`5432`",
            "PostgreSQL port (1-65535).",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::port,
            PostgresSourceBuilder::withPort);

    public static final ConfigKey<String> DATABASE = new ConfigKey<>(
            "database",
            KeyType.STRING,
            null,
            "required",
            "Database to replicate from.",
            REQUIRED,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::database,
            PostgresSourceBuilder::withDatabase);

    public static final ConfigKey<String> USER = new ConfigKey<>(
            "user",
            KeyType.STRING,
            null,
            "required",
            "Database user; needs the REPLICATION attribute and SELECT on the tables "
                    + "(and CREATE on the database if the publication must be created).",
            REQUIRED,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::user,
            PostgresSourceBuilder::withUser);

    public static final ConfigKey<String> PASSWORD = new ConfigKey<>(
            "password",
            KeyType.STRING,
            "",
            "`\"\"`",
            "Password of `user`; masked in `toString()`, never echoed in errors or logs. "
                    + "In YAML prefer `${PGPASSWORD}`.",
            OPTIONAL,
            SECRET,
            NOT_NULL,
            PostgresSourceConfig::password,
            PostgresSourceBuilder::withPassword);

    public static final ConfigKey<List<String>> TABLES = new ConfigKey<>(
            "tables",
            KeyType.STRING_LIST,
            List.of(),
            "required (at least one)",
            "Tables to capture: `table` (schema `public`), `schema.table`, or quoted `\"Odd Schema\".\"T\"`; "
                    + "unquoted names fold to lower case; a name may not begin or end with `\"` (Debezium cannot "
                    + "parse it). The publication covers exactly these tables, so at "
                    + "least one is required (the seed's empty default would capture nothing).",
            REQUIRED,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::tables,
            PostgresSourceBuilder::withTables);

    public static final ConfigKey<String> SLOT_NAME = new ConfigKey<>(
            "slot_name",
            KeyType.STRING,
            "drasi_slot",
            "`drasi_slot`",
            "Logical replication slot (created if missing); 1-63 characters of `a-z`, `0-9`, `_`. "
                    + "One slot per source.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::slotName,
            PostgresSourceBuilder::withSlotName);

    public static final ConfigKey<String> PUBLICATION_NAME = new ConfigKey<>(
            "publication_name",
            KeyType.STRING,
            "drasi_publication",
            "`drasi_publication`",
            "Publication (created for exactly `tables` if missing); lower-case identifier of at most 63 bytes.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::publicationName,
            PostgresSourceBuilder::withPublicationName);

    public static final ConfigKey<SslMode> SSL_MODE = new ConfigKey<>(
            "ssl_mode",
            KeyType.SSL_MODE,
            SslMode.PREFER,
            "`prefer`",
            "TLS for all connections (replication included). `verify-ca`/`verify-full` need `ssl_root_cert`.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::sslMode,
            PostgresSourceBuilder::withSslMode);

    public static final ConfigKey<Path> SSL_ROOT_CERT = new ConfigKey<>(
            "ssl_root_cert",
            KeyType.PATH,
            null,
            "none",
            "PEM file of the CA that signed the server certificate; must exist. Required for `verify-ca` "
                    + "and `verify-full`.",
            OPTIONAL,
            PLAIN,
            NULLABLE,
            c -> c.sslRootCert().orElse(null),
            PostgresSourceBuilder::withSslRootCert);

    public static final ConfigKey<List<TableKeyConfig>> TABLE_KEYS = new ConfigKey<>(
            "table_keys",
            KeyType.TABLE_KEYS,
            List.of(),
            "`[]`",
            "Key columns per table, overriding the primary key (and required for tables without one): "
                    + "`{table, key_columns}` (`keyColumns` in drasi-server YAML); each `table` must be in `tables`.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::tableKeys,
            PostgresSourceBuilder::withTableKeys);

    public static final ConfigKey<String> OFFSET_STORE = new ConfigKey<>(
            "offset_store",
            KeyType.STRING,
            DEFAULT_OFFSET_STORE,
            "`" + DEFAULT_OFFSET_STORE + "`",
            "File that persists the acknowledged stream position; relative paths resolve against the working "
                    + "directory and `{sourceId}` is replaced by the source id. `memory` keeps it in memory only: "
                    + "after a restart the stream resumes from the slot's `confirmed_flush_lsn`, which can repeat "
                    + "more changes. The `drasi-pg` CLI, when this key is not set, keeps the file in "
                    + "`$XDG_STATE_HOME/drasi-pg/` (else `~/.local/state/drasi-pg/`) instead.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::offsetStore,
            PostgresSourceBuilder::withOffsetStore);

    public static final ConfigKey<Duration> POLL_INTERVAL = new ConfigKey<>(
            "poll_interval",
            KeyType.DURATION,
            Duration.ofMillis(10),
            "`10ms`",
            "Busy linger: under a steady stream of changes the engine waits this long before taking the next "
                    + "batch, so changes are delivered in batches (less CPU per change, up to this much more latency)."
                    + " Idle or sparse changes are not delayed: the source wakes when data arrives (measured idle "
                    + "CPU and latency: docs/PERFORMANCE.md). Also the polling period if the replication socket "
                    + "cannot be waited on (logged at WARN). At least 1ms.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::pollInterval,
            PostgresSourceBuilder::withPollInterval);

    public static final ConfigKey<Integer> MAX_BATCH_SIZE = new ConfigKey<>(
            "max_batch_size",
            KeyType.INT,
            2048,
            "`2048`",
            "Most changes handed to the sink in one batch.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::maxBatchSize,
            PostgresSourceBuilder::withMaxBatchSize);

    public static final ConfigKey<Integer> MAX_QUEUE_SIZE = new ConfigKey<>(
            "max_queue_size",
            KeyType.INT,
            8192,
            "`8192`",
            "Most changes buffered between the WAL reader and the sink (bounds memory); must exceed "
                    + "`max_batch_size`.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::maxQueueSize,
            PostgresSourceBuilder::withMaxQueueSize);

    public static final ConfigKey<Duration> HEARTBEAT_INTERVAL = new ConfigKey<>(
            "heartbeat_interval",
            KeyType.DURATION,
            Duration.ofSeconds(10),
            "`10s`",
            "Heartbeat period that keeps the slot advancing while the captured tables are idle, so the server "
                    + "does not retain WAL; `0` disables.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::heartbeatInterval,
            PostgresSourceBuilder::withHeartbeatInterval);

    public static final ConfigKey<Duration> OFFSET_FLUSH_INTERVAL = new ConfigKey<>(
            "offset_flush_interval",
            KeyType.DURATION,
            Duration.ZERO,
            "`0`",
            "How often acknowledged positions are written to the offset store and the slot; `0` = after every "
                    + "acknowledged batch (fewest duplicates after a crash).",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::offsetFlushInterval,
            PostgresSourceBuilder::withOffsetFlushInterval);

    public static final ConfigKey<Duration> CONNECT_TIMEOUT = new ConfigKey<>(
            "connect_timeout",
            KeyType.DURATION,
            Duration.ofSeconds(10),
            "`10s`",
            "Timeout for opening a connection (the JDBC driver counts whole seconds).",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::connectTimeout,
            PostgresSourceBuilder::withConnectTimeout);

    public static final ConfigKey<Duration> RECONNECT_BACKOFF_INITIAL = new ConfigKey<>(
            "reconnect_backoff_initial",
            KeyType.DURATION,
            Duration.ofSeconds(1),
            "`1s`",
            "First wait before reconnecting after a lost connection; later waits grow up to `reconnect_backoff_max`.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::reconnectBackoffInitial,
            PostgresSourceBuilder::withReconnectBackoffInitial);

    public static final ConfigKey<Duration> RECONNECT_BACKOFF_MAX = new ConfigKey<>(
            "reconnect_backoff_max",
            KeyType.DURATION,
            Duration.ofSeconds(30),
            "`30s`",
            "Longest wait between reconnect attempts; at least `reconnect_backoff_initial`.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::reconnectBackoffMax,
            PostgresSourceBuilder::withReconnectBackoffMax);

    public static final ConfigKey<Boolean> DECIMAL_AS_STRING = new ConfigKey<>(
            "decimal_as_string",
            KeyType.BOOL,
            false,
            "`false`",
            "`numeric`/`decimal`/`money` as exact strings instead of floats (`false` = float, as the native "
                    + "source).",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::decimalAsString,
            PostgresSourceBuilder::withDecimalAsString);

    public static final ConfigKey<UnmappableValues> UNMAPPABLE_VALUES = new ConfigKey<>(
            "unmappable_values",
            KeyType.UNMAPPABLE_VALUES,
            UnmappableValues.FAIL,
            "`fail`",
            "A column value the value table cannot convert: `fail` stops the source (state `FAILED`) naming "
                    + "`schema.table.column`, the type, the LSN and the fix, without advancing the position past "
                    + "the change; `text` delivers PostgreSQL's text form as a string, warns once per column and "
                    + "counts it in `stats().unmappableValues()`.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::unmappableValues,
            PostgresSourceBuilder::withUnmappableValues);

    public static final ConfigKey<SlotLossPolicy> ON_SLOT_LOSS = new ConfigKey<>(
            "on_slot_loss",
            KeyType.SLOT_LOSS,
            SlotLossPolicy.FAIL,
            "`fail`",
            "What to do when the replication slot is missing at a start with a stored position, dropped while "
                    + "streaming, or invalidated (`max_slot_wal_keep_size`): `fail` stops the source (state `FAILED`, "
                    + "reason `SLOT_MISSING`/`SLOT_INVALIDATED`) naming the fix; `resync` creates a new slot with an "
                    + "exported snapshot, re-reads every table and emits Insert/Update/Delete against the element ids "
                    + "the consumer acknowledged (kept in `<offset_store>.held`; unchanged rows emit nothing), then "
                    + "streams from the new slot with no gap and no overlap. `resync` needs a file `offset_store`.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::onSlotLoss,
            PostgresSourceBuilder::withOnSlotLoss);

    public static final ConfigKey<TableRemovedPolicy> ON_TABLE_REMOVED = new ConfigKey<>(
            "on_table_removed",
            KeyType.TABLE_REMOVED,
            TableRemovedPolicy.KEEP,
            "`keep`",
            "A table captured before and no longer in `tables` at a start always leaves the publication (when "
                    + "the role may) and its changes stop. `keep`: the consumer keeps its elements. `delete`: before "
                    + "streaming, a Delete for every element of the table the consumer holds (the acknowledged "
                    + "element ids kept in `<offset_store>.held`, as for `on_slot_loss: resync`), acknowledged like "
                    + "any change. `delete` needs a file `offset_store`; ids are kept from the next new slot (a "
                    + "bootstrap), a removal before that fails the start naming the fix.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::onTableRemoved,
            PostgresSourceBuilder::withOnTableRemoved);

    public static final ConfigKey<GeneratedColumns> GENERATED_COLUMNS = new ConfigKey<>(
            "generated_columns",
            KeyType.GENERATED_COLUMNS,
            GeneratedColumns.INCLUDE,
            "`include`",
            "Stored generated columns as properties, in bootstrap and stream. PostgreSQL 18+ publishes them "
                    + "(`publish_generated_columns = stored` on the publication the source creates); before 18 the "
                    + "source reads them by key after each change (one query per table per batch). `omit` leaves "
                    + "them out everywhere.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::generatedColumns,
            PostgresSourceBuilder::withGeneratedColumns);

    public static final ConfigKey<Map<String, String>> DEBEZIUM_PROPERTIES = new ConfigKey<>(
            "debezium_properties",
            KeyType.STRING_MAP,
            Map.of(),
            "`{}`",
            "Extra Debezium properties, allow-listed: "
                    + String.join(
                            ", ",
                            new java.util.TreeSet<>(DebeziumProperties.Passthrough.ALLOWED.keySet())
                                    .stream().map(k -> "`" + k + "`").toList())
                    + ". `driver.*`, `database.*` and anything else are refused.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::debeziumProperties,
            PostgresSourceBuilder::withDebeziumProperties);

    public static final ConfigKey<Boolean> FOREIGN_KEY_RELATIONS = new ConfigKey<>(
            "foreign_key_relations",
            KeyType.BOOL,
            false,
            "`false`",
            "Emit each foreign key among the captured tables as Drasi relations: every child row whose foreign-key "
                    + "columns are all non-null has one relation from its node (`in_node`, the start) to the "
                    + "referenced row's node (`out_node`), id = the child's id plus the constraint name, properties "
                    + "= the foreign-key columns. Only foreign keys that reference the parent's key (primary key or "
                    + "`table_keys`) qualify; others are skipped with one warning at start. Stream, bootstrap and "
                    + "every output format; not the Kafka Connect SMT.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::foreignKeyRelations,
            PostgresSourceBuilder::withForeignKeyRelations);

    public static final ConfigKey<Map<String, String>> RELATION_LABELS = new ConfigKey<>(
            "relation_labels",
            KeyType.STRING_MAP,
            Map.of(),
            "`{}`",
            "Label per foreign-key constraint name for `foreign_key_relations` (e.g. "
                    + "`{orders_customer_id_fkey: PLACED_BY}`); a constraint not listed is labelled with its name. "
                    + "Every entry must name a foreign key that is emitted.",
            OPTIONAL,
            PLAIN,
            NOT_NULL,
            PostgresSourceConfig::relationLabels,
            PostgresSourceBuilder::withRelationLabels);

    /** Every key, in documentation order. */
    public static final List<ConfigKey<?>> ALL = List.of(
            HOST,
            PORT,
            DATABASE,
            USER,
            PASSWORD,
            TABLES,
            SLOT_NAME,
            PUBLICATION_NAME,
            SSL_MODE,
            SSL_ROOT_CERT,
            TABLE_KEYS,
            OFFSET_STORE,
            POLL_INTERVAL,
            MAX_BATCH_SIZE,
            MAX_QUEUE_SIZE,
            HEARTBEAT_INTERVAL,
            OFFSET_FLUSH_INTERVAL,
            CONNECT_TIMEOUT,
            RECONNECT_BACKOFF_INITIAL,
            RECONNECT_BACKOFF_MAX,
            DECIMAL_AS_STRING,
            GENERATED_COLUMNS,
            UNMAPPABLE_VALUES,
            ON_SLOT_LOSS,
            ON_TABLE_REMOVED,
            FOREIGN_KEY_RELATIONS,
            RELATION_LABELS,
            DEBEZIUM_PROPERTIES);

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
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Seed key (`properties:`) | drasi-server key | Java builder | Type | Default | Description |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (ConfigKey<?> k : ALL) {
            sb.append("| `")
                    .append(k.snakeName())
                    .append("` | `")
                    .append(k.camelName())
                    .append("` | `")
                    .append(k.builderMethod())
                    .append("` | ")
                    .append(cell(k.type().docName))
                    .append(" | ")
                    .append(cell(k.defaultText()))
                    .append(" | ")
                    .append(cell((k.secret() ? "**Secret.** " : "") + k.doc()))
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String text) {
        // escape pipes not already escaped
        return text.replaceAll("(?<!\\\\)\\|", "\\\\|");
    }
}

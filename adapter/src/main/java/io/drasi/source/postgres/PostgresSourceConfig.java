package io.drasi.source.postgres;

import io.drasi.source.postgres.config.ConfigFiles;
import io.drasi.source.postgres.config.ConfigKey;
import io.drasi.source.postgres.config.ConfigKeys;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.mapping.value.UnmappableValues;
import io.drasi.source.postgres.model.TableId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The validated, immutable configuration of one PostgreSQL replication source: connection, captured
 * tables and key overrides, slot and publication, TLS, offset storage and streaming tuning. Field names
 * and defaults follow the native Rust crate ({@code drasi_source_postgres}), plus the settings real
 * use needs (offsets, latency, memory bounds, heartbeat, reconnect, allow-listed Debezium extras).
 *
 * <p>Obtain one from {@link #builder()} (or {@link ConfigFiles} for YAML); every instance has passed
 * {@link PostgresSourceBuilder#validate()}. Change one with {@link #toBuilder()}.
 *
 * <p>{@link #toString()} masks the password. {@link #equals(Object)} compares every setting.
 *
 * <p>Thread-safety: immutable; safe to share. Nullability: no accessor returns null; optional
 * settings are {@link Optional}; collections are unmodifiable and never null.
 */
public final class PostgresSourceConfig {

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final List<String> tables;
    private final String slotName;
    private final String publicationName;
    private final SslMode sslMode;
    private final Path sslRootCert;
    private final List<TableKeyConfig> tableKeys;
    private final String offsetStore;
    private final Duration pollInterval;
    private final int maxBatchSize;
    private final int maxQueueSize;
    private final Duration heartbeatInterval;
    private final Duration offsetFlushInterval;
    private final Duration connectTimeout;
    private final Duration reconnectBackoffInitial;
    private final Duration reconnectBackoffMax;
    private final boolean decimalAsString;
    private final UnmappableValues unmappableValues;
    private final GeneratedColumns generatedColumns;
    private final SlotLossPolicy onSlotLoss;
    private final TableRemovedPolicy onTableRemoved;
    private final Map<String, String> debeziumProperties;
    private final boolean foreignKeyRelations;
    private final Map<String, String> relationLabels;

    /** Snapshot of a builder; not yet validated (the builder validates before handing it out). */
    public PostgresSourceConfig(PostgresSourceBuilder b) {
        this.host = b.host;
        this.port = b.port;
        this.database = b.database;
        this.user = b.user;
        this.password = b.password;
        this.tables = copy(b.tables);
        this.slotName = b.slotName;
        this.publicationName = b.publicationName;
        this.sslMode = b.sslMode;
        this.sslRootCert = b.sslRootCert;
        this.tableKeys = copy(b.tableKeys);
        this.offsetStore = b.offsetStore;
        this.pollInterval = b.pollInterval;
        this.maxBatchSize = b.maxBatchSize;
        this.maxQueueSize = b.maxQueueSize;
        this.heartbeatInterval = b.heartbeatInterval;
        this.offsetFlushInterval = b.offsetFlushInterval;
        this.connectTimeout = b.connectTimeout;
        this.reconnectBackoffInitial = b.reconnectBackoffInitial;
        this.reconnectBackoffMax = b.reconnectBackoffMax;
        this.decimalAsString = b.decimalAsString;
        this.unmappableValues = b.unmappableValues;
        this.generatedColumns = b.generatedColumns;
        this.onSlotLoss = b.onSlotLoss;
        this.onTableRemoved = b.onTableRemoved;
        this.debeziumProperties = b.debeziumProperties == null
                ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(b.debeziumProperties));
        this.foreignKeyRelations = b.foreignKeyRelations;
        this.relationLabels =
                b.relationLabels == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(b.relationLabels));
    }

    private static <E> List<E> copy(List<E> list) {
        // null-tolerant so that validation can report null elements instead of throwing
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }

    /** @return a builder with every default of the seed and this library; never null */
    public static PostgresSourceBuilder builder() {
        return new PostgresSourceBuilder();
    }

    /** @return a new builder holding all of this config's values; never null */
    public PostgresSourceBuilder toBuilder() {
        PostgresSourceBuilder b = new PostgresSourceBuilder();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            k.copy(this, b);
        }
        return b;
    }

    /** @return PostgreSQL host name or address (default {@code localhost}) */
    public String host() {
        return host;
    }

    /** @return PostgreSQL port, 1-65535 (default 5432) */
    public int port() {
        return port;
    }

    /** @return the database name (required) */
    public String database() {
        return database;
    }

    /** @return the user, which needs the REPLICATION attribute (required) */
    public String user() {
        return user;
    }

    /**
     * @return the password (default empty); a secret: never log it. {@link #toString()} masks it.
     */
    public String password() {
        return password;
    }

    /**
     * @return the captured tables as configured ({@code t}, {@code s.t}, {@code "S"."T"}), at least one,
     *     no two naming the same table
     */
    public List<String> tables() {
        return tables;
    }

    /**
     * @return the captured tables as SQL identifiers, schema-qualified and always double-quoted (e.g.
     *     {@code "public"."users"}), in configured order; ready for {@code CREATE PUBLICATION ... FOR TABLE}
     */
    public List<String> qualifiedTables() {
        return tables.stream().map(t -> TableId.parseQualified(t).sql()).toList();
    }

    /** @return the replication slot name, matching {@code [a-z0-9_]{1,63}} (default {@code drasi_slot}) */
    public String slotName() {
        return slotName;
    }

    /** @return the publication name, a lower-case identifier (default {@code drasi_publication}) */
    public String publicationName() {
        return publicationName;
    }

    /** @return the TLS mode (default {@link SslMode#PREFER}) */
    public SslMode sslMode() {
        return sslMode;
    }

    /** @return the CA certificate file; present whenever {@link SslMode#verifiesCertificate()} */
    public Optional<Path> sslRootCert() {
        return Optional.ofNullable(sslRootCert);
    }

    /** @return key-column overrides, each for a table in {@link #tables()}, at most one per table */
    public List<TableKeyConfig> tableKeys() {
        return tableKeys;
    }

    /**
     * Key columns configured for a table.
     *
     * @param schema the schema as stored in the catalog (e.g. {@code public}); never null
     * @param table  the table as stored in the catalog; never null
     * @return the configured key columns in id order, or empty when the table has no override
     */
    public Optional<List<String>> keyColumnsFor(String schema, String table) {
        TableId wanted = TableId.of(Objects.requireNonNull(schema, "schema"), Objects.requireNonNull(table, "table"));
        return tableKeys.stream()
                .filter(k -> TableId.parseQualified(k.table()).equals(wanted))
                .map(TableKeyConfig::keyColumns)
                .findFirst();
    }

    /**
     * @return the offset store as configured: a path template (may contain {@code {sourceId}}) or
     *     {@code memory}; default {@code drasi-offsets/{sourceId}.offsets}
     * @see #offsetStoreFile(String)
     */
    public String offsetStore() {
        return offsetStore;
    }

    /**
     * @return true when {@code offset_store} was not set (the library's default, a file relative to the working
     *         directory); hosts such as the CLI may then choose their own place
     */
    public boolean offsetStoreIsDefault() {
        return ConfigKeys.DEFAULT_OFFSET_STORE.equals(offsetStore);
    }

    /** @return true when offsets are kept in memory only ({@code offsetStore} is {@code memory}) */
    public boolean offsetsInMemory() {
        return ConfigKeys.IN_MEMORY_OFFSET_STORE.equals(offsetStore);
    }

    /**
     * The offset file for a source. {@code {sourceId}} in the template is replaced by the id, with
     * every character other than {@code A-Z a-z 0-9 . _ -} percent-encoded so that distinct ids give
     * distinct file names; a relative path stays relative (to the working directory).
     *
     * @param sourceId the source id; never null or empty
     * @return the file, or empty when offsets are kept in memory
     */
    public Optional<Path> offsetStoreFile(String sourceId) {
        Objects.requireNonNull(sourceId, "sourceId");
        if (sourceId.isEmpty()) {
            throw new IllegalArgumentException("sourceId must not be empty");
        }
        if (offsetsInMemory()) {
            return Optional.empty();
        }
        return Optional.of(Path.of(offsetStore.replace(ConfigKeys.SOURCE_ID_PLACEHOLDER, fileSafe(sourceId))));
    }

    static String fileSafe(String id) {
        String enc = URLEncoder.encode(id, StandardCharsets.UTF_8)
                .replace("+", "%20")
                .replace("*", "%2A");
        return enc.equals(".") ? "%2E" : enc.equals("..") ? "%2E%2E" : enc;
    }

    /**
     * @return the busy linger: how long the engine waits before the next batch under steady load, at least 1 ms
     * (default 10 ms)
     */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** @return most changes per sink batch, at least 1 (default 2048) */
    public int maxBatchSize() {
        return maxBatchSize;
    }

    /** @return most changes buffered before the sink, greater than {@link #maxBatchSize()} (default 8192) */
    public int maxQueueSize() {
        return maxQueueSize;
    }

    /** @return heartbeat period; {@link Duration#ZERO} disables (default 10 s) */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** @return offset flush period; {@link Duration#ZERO} = after every acknowledged batch (default) */
    public Duration offsetFlushInterval() {
        return offsetFlushInterval;
    }

    /** @return connection timeout, positive (default 10 s) */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** @return first reconnect wait, positive (default 1 s) */
    public Duration reconnectBackoffInitial() {
        return reconnectBackoffInitial;
    }

    /** @return longest reconnect wait, at least the initial one (default 30 s) */
    public Duration reconnectBackoffMax() {
        return reconnectBackoffMax;
    }

    /** @return true to emit numeric/decimal/money as exact strings; false (default) emits floats */
    public boolean decimalAsString() {
        return decimalAsString;
    }

    /**
     * @return what happens to a column value the value table cannot convert: {@link UnmappableValues#FAIL} (default)
     *         stops the source naming the column, {@link UnmappableValues#TEXT} delivers PostgreSQL's text form
     */
    public UnmappableValues unmappableValues() {
        return unmappableValues;
    }

    /** @return whether stored generated columns are properties (default {@link GeneratedColumns#INCLUDE}) */
    public GeneratedColumns generatedColumns() {
        return generatedColumns;
    }

    /**
     * @return what happens when the replication slot is lost: {@link SlotLossPolicy#FAIL} (default) or
     *         {@link SlotLossPolicy#RESYNC}
     */
    public SlotLossPolicy onSlotLoss() {
        return onSlotLoss;
    }

    /**
     * @return what the consumer is told about a table removed from {@code tables}: {@link TableRemovedPolicy#KEEP}
     *         (default) or {@link TableRemovedPolicy#DELETE}
     */
    public TableRemovedPolicy onTableRemoved() {
        return onTableRemoved;
    }

    /**
     * @return true when the element ids the consumer holds are kept beside the offset store ({@code <offset_store>
     *         .held}): needed by {@code on_slot_loss: resync} and by {@code on_table_removed: delete}
     */
    public boolean keepsHeldElements() {
        return onSlotLoss == SlotLossPolicy.RESYNC || onTableRemoved == TableRemovedPolicy.DELETE;
    }

    /** @return true when foreign keys among the captured tables are emitted as relations (default false) */
    public boolean foreignKeyRelations() {
        return foreignKeyRelations;
    }

    /** @return foreign-key constraint name → relation label (default empty: labels are constraint names) */
    public Map<String, String> relationLabels() {
        return relationLabels;
    }

    /** @return extra Debezium properties, every key on the allow-list (default empty) */
    public Map<String, String> debeziumProperties() {
        return debeziumProperties;
    }

    /**
     * The README table of every configuration key (seed and drasi-server spellings, builder method,
     * type, default, description), generated from the single key registry.
     *
     * @return a GitHub-flavoured Markdown table; never null
     */
    public static String configKeysMarkdownTable() {
        return ConfigKeys.markdownTable();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PostgresSourceConfig)) {
            return false;
        }
        PostgresSourceConfig other = (PostgresSourceConfig) o;
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            if (!Objects.equals(k.get(this), k.get(other))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            h = 31 * h + Objects.hashCode(k.get(this));
        }
        return h;
    }

    /** @return every setting, the password masked as {@code ****} */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "PostgresSourceConfig{", "}");
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            j.add(k.camelName() + "=" + k.display(this));
        }
        return j.toString();
    }
}

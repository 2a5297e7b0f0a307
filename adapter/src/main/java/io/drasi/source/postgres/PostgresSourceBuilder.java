package io.drasi.source.postgres;

import io.drasi.source.postgres.config.ConfigKeys;
import io.drasi.source.postgres.config.ConfigProblem;
import io.drasi.source.postgres.config.ConfigValidator;
import io.drasi.source.postgres.config.Naming;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.mapping.value.UnmappableValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link PostgresSourceConfig}. Starts with every default (those of the native crate's seed
 * for the seed fields: host {@code localhost}, port 5432, password {@code ""}, slot {@code drasi_slot},
 * publication {@code drasi_publication}, ssl mode {@code prefer}); {@code database}, {@code user} and at
 * least one table must be set.
 *
 * <pre>{@code
 * PostgresSourceConfig config = PostgresSourceConfig.builder()
 *         .withHost("db.example.com")
 *         .withDatabase("production")
 *         .withUser("replication_user")
 *         .withPassword(System.getenv("PGPASSWORD"))
 *         .withTables("users", "orders")
 *         .withTableKey("orders", "order_id")
 *         .build();
 * }</pre>
 *
 * <p>Setters never throw: any value, including null, is accepted and checked by {@link #validate()},
 * which reports every problem at once. {@link #build()} validates first. Collections passed in are
 * copied.
 *
 * <p>Thread-safety: not thread-safe; confine a builder to one thread. The configs it builds are
 * immutable.
 */
public final class PostgresSourceBuilder {

    String host = ConfigKeys.HOST.defaultValue();
    int port = ConfigKeys.PORT.defaultValue();
    String database = ConfigKeys.DATABASE.defaultValue();
    String user = ConfigKeys.USER.defaultValue();
    String password = ConfigKeys.PASSWORD.defaultValue();
    List<String> tables = copy(ConfigKeys.TABLES.defaultValue());
    String slotName = ConfigKeys.SLOT_NAME.defaultValue();
    String publicationName = ConfigKeys.PUBLICATION_NAME.defaultValue();
    SslMode sslMode = ConfigKeys.SSL_MODE.defaultValue();
    Path sslRootCert = ConfigKeys.SSL_ROOT_CERT.defaultValue();
    List<TableKeyConfig> tableKeys = copy(ConfigKeys.TABLE_KEYS.defaultValue());
    String offsetStore = ConfigKeys.OFFSET_STORE.defaultValue();
    Duration pollInterval = ConfigKeys.POLL_INTERVAL.defaultValue();
    int maxBatchSize = ConfigKeys.MAX_BATCH_SIZE.defaultValue();
    int maxQueueSize = ConfigKeys.MAX_QUEUE_SIZE.defaultValue();
    Duration heartbeatInterval = ConfigKeys.HEARTBEAT_INTERVAL.defaultValue();
    Duration offsetFlushInterval = ConfigKeys.OFFSET_FLUSH_INTERVAL.defaultValue();
    Duration connectTimeout = ConfigKeys.CONNECT_TIMEOUT.defaultValue();
    Duration reconnectBackoffInitial = ConfigKeys.RECONNECT_BACKOFF_INITIAL.defaultValue();
    Duration reconnectBackoffMax = ConfigKeys.RECONNECT_BACKOFF_MAX.defaultValue();
    boolean decimalAsString = ConfigKeys.DECIMAL_AS_STRING.defaultValue();
    UnmappableValues unmappableValues = ConfigKeys.UNMAPPABLE_VALUES.defaultValue();
    GeneratedColumns generatedColumns = ConfigKeys.GENERATED_COLUMNS.defaultValue();
    SlotLossPolicy onSlotLoss = ConfigKeys.ON_SLOT_LOSS.defaultValue();
    TableRemovedPolicy onTableRemoved = ConfigKeys.ON_TABLE_REMOVED.defaultValue();
    Map<String, String> debeziumProperties = new LinkedHashMap<>(ConfigKeys.DEBEZIUM_PROPERTIES.defaultValue());
    boolean foreignKeyRelations = ConfigKeys.FOREIGN_KEY_RELATIONS.defaultValue();
    Map<String, String> relationLabels = new LinkedHashMap<>(ConfigKeys.RELATION_LABELS.defaultValue());

    /** Use {@link PostgresSourceConfig#builder()}. */
    PostgresSourceBuilder() {}

    private static <E> List<E> copy(List<E> list) {
        return list == null ? null : new ArrayList<>(list);
    }

    /**
     * @param host PostgreSQL host name or address
     * @return this
     */
    public PostgresSourceBuilder withHost(String host) {
        this.host = host;
        return this;
    }

    /**
     * @param port 1-65535
     * @return this
     */
    public PostgresSourceBuilder withPort(int port) {
        this.port = port;
        return this;
    }

    /**
     * @param database the database name (required)
     * @return this
     */
    public PostgresSourceBuilder withDatabase(String database) {
        this.database = database;
        return this;
    }

    /**
     * @param user a user with the REPLICATION attribute (required)
     * @return this
     */
    public PostgresSourceBuilder withUser(String user) {
        this.user = user;
        return this;
    }

    /**
     * @param password the password; {@code ""} for none
     * @return this
     */
    public PostgresSourceBuilder withPassword(String password) {
        this.password = password;
        return this;
    }

    /**
     * @param tables the tables to capture ({@code t}, {@code s.t}, {@code "S"."T"}); replaces any set
     *               before
     * @return this
     */
    public PostgresSourceBuilder withTables(List<String> tables) {
        this.tables = copy(tables);
        return this;
    }

    /**
     * @param tables the tables to capture; replaces any set before
     * @return this
     */
    public PostgresSourceBuilder withTables(String... tables) {
        this.tables = tables == null ? null : new ArrayList<>(Arrays.asList(tables));
        return this;
    }

    /**
     * @param slotName replication slot, {@code [a-z0-9_]{1,63}}
     * @return this
     */
    public PostgresSourceBuilder withSlotName(String slotName) {
        this.slotName = slotName;
        return this;
    }

    /**
     * @param publicationName publication, lower-case identifier of at most 63 bytes
     * @return this
     */
    public PostgresSourceBuilder withPublicationName(String publicationName) {
        this.publicationName = publicationName;
        return this;
    }

    /**
     * @param sslMode TLS mode
     * @return this
     */
    public PostgresSourceBuilder withSslMode(SslMode sslMode) {
        this.sslMode = sslMode;
        return this;
    }

    /**
     * @param sslRootCert CA certificate (PEM) file; null for none
     * @return this
     */
    public PostgresSourceBuilder withSslRootCert(Path sslRootCert) {
        this.sslRootCert = sslRootCert;
        return this;
    }

    /**
     * @param tableKeys key-column overrides; replaces any set before
     * @return this
     */
    public PostgresSourceBuilder withTableKeys(List<TableKeyConfig> tableKeys) {
        this.tableKeys = copy(tableKeys);
        return this;
    }

    /**
     * Adds one key-column override.
     *
     * @param table      a table from {@code tables}
     * @param keyColumns its key columns, in id order
     * @return this
     */
    public PostgresSourceBuilder withTableKey(String table, String... keyColumns) {
        if (tableKeys == null) {
            tableKeys = new ArrayList<>();
        }
        tableKeys.add(TableKeyConfig.of(table, keyColumns));
        return this;
    }

    /**
     * @param offsetStore offset file path template ({@code {sourceId}} is replaced by the source id) or
     *                    {@code memory}
     * @return this
     */
    public PostgresSourceBuilder withOffsetStore(String offsetStore) {
        this.offsetStore = offsetStore;
        return this;
    }

    /**
     * @param offsetFile the file that persists offsets
     * @return this
     */
    public PostgresSourceBuilder withOffsetStore(Path offsetFile) {
        this.offsetStore = offsetFile == null ? null : offsetFile.toString();
        return this;
    }

    /**
     * Keeps offsets in memory only; after a restart the stream resumes from the slot's
     * {@code confirmed_flush_lsn}.
     *
     * @return this
     */
    public PostgresSourceBuilder withInMemoryOffsets() {
        this.offsetStore = ConfigKeys.IN_MEMORY_OFFSET_STORE;
        return this;
    }

    /**
     * @param pollInterval busy linger (wait before the next batch under steady load), at least 1 ms
     * @return this
     */
    public PostgresSourceBuilder withPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
        return this;
    }

    /**
     * @param maxBatchSize most changes per sink batch, at least 1
     * @return this
     */
    public PostgresSourceBuilder withMaxBatchSize(int maxBatchSize) {
        this.maxBatchSize = maxBatchSize;
        return this;
    }

    /**
     * @param maxQueueSize most buffered changes, greater than the batch size
     * @return this
     */
    public PostgresSourceBuilder withMaxQueueSize(int maxQueueSize) {
        this.maxQueueSize = maxQueueSize;
        return this;
    }

    /**
     * @param heartbeatInterval heartbeat period; zero disables
     * @return this
     */
    public PostgresSourceBuilder withHeartbeatInterval(Duration heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
        return this;
    }

    /**
     * @param offsetFlushInterval offset flush period; zero flushes after every batch
     * @return this
     */
    public PostgresSourceBuilder withOffsetFlushInterval(Duration offsetFlushInterval) {
        this.offsetFlushInterval = offsetFlushInterval;
        return this;
    }

    /**
     * @param connectTimeout connection timeout, positive
     * @return this
     */
    public PostgresSourceBuilder withConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
        return this;
    }

    /**
     * @param reconnectBackoffInitial first reconnect wait, positive
     * @return this
     */
    public PostgresSourceBuilder withReconnectBackoffInitial(Duration reconnectBackoffInitial) {
        this.reconnectBackoffInitial = reconnectBackoffInitial;
        return this;
    }

    /**
     * @param reconnectBackoffMax longest reconnect wait
     * @return this
     */
    public PostgresSourceBuilder withReconnectBackoffMax(Duration reconnectBackoffMax) {
        this.reconnectBackoffMax = reconnectBackoffMax;
        return this;
    }

    /**
     * @param decimalAsString true: numeric as exact strings; false: floats (native parity)
     * @return this
     */
    public PostgresSourceBuilder withDecimalAsString(boolean decimalAsString) {
        this.decimalAsString = decimalAsString;
        return this;
    }

    /**
     * @param unmappableValues what to do with a column value the value table cannot convert: {@code FAIL} (default)
     *                         stops the source naming the column and the fix; {@code TEXT} delivers PostgreSQL's
     *                         text form, warns once per column and counts it in {@link SourceStats}
     * @return this
     */
    public PostgresSourceBuilder withUnmappableValues(UnmappableValues unmappableValues) {
        this.unmappableValues = unmappableValues;
        return this;
    }

    /**
     * @param onSlotLoss {@link SlotLossPolicy#FAIL} (default): a lost or invalidated slot fails the source naming the
     *                   fix; {@link SlotLossPolicy#RESYNC}: a new slot's snapshot is compared with the element ids the
     *                   consumer acknowledged and the difference is emitted (needs a file offset store)
     * @return this
     */
    public PostgresSourceBuilder withOnSlotLoss(SlotLossPolicy onSlotLoss) {
        this.onSlotLoss = onSlotLoss;
        return this;
    }

    /**
     * @param onTableRemoved {@link TableRemovedPolicy#KEEP} (default): a table removed from {@code tables} stops
     *                       streaming and the consumer keeps its elements; {@link TableRemovedPolicy#DELETE}: a Delete
     *                       for each of its elements the consumer holds is emitted at the start (needs a file offset
     *                       store)
     * @return this
     */
    public PostgresSourceBuilder withOnTableRemoved(TableRemovedPolicy onTableRemoved) {
        this.onTableRemoved = onTableRemoved;
        return this;
    }

    /**
     * @param generatedColumns {@link GeneratedColumns#INCLUDE} (default): stored generated columns are
     *                         properties; {@link GeneratedColumns#OMIT}: left out
     * @return this
     */
    public PostgresSourceBuilder withGeneratedColumns(GeneratedColumns generatedColumns) {
        this.generatedColumns = generatedColumns;
        return this;
    }

    /**
     * @param foreignKeyRelations true: foreign keys among the captured tables become Drasi relations (child row →
     *                            referenced row); false (default): nodes only
     * @return this
     */
    public PostgresSourceBuilder withForeignKeyRelations(boolean foreignKeyRelations) {
        this.foreignKeyRelations = foreignKeyRelations;
        return this;
    }

    /**
     * @param relationLabels foreign-key constraint name → relation label (default: the constraint name); replaces
     *                       any set before
     * @return this
     */
    public PostgresSourceBuilder withRelationLabels(Map<String, String> relationLabels) {
        this.relationLabels = relationLabels == null ? null : new LinkedHashMap<>(relationLabels);
        return this;
    }

    /**
     * @param debeziumProperties extra allow-listed Debezium properties; replaces any set before
     * @return this
     */
    public PostgresSourceBuilder withDebeziumProperties(Map<String, String> debeziumProperties) {
        this.debeziumProperties = debeziumProperties == null ? null : new LinkedHashMap<>(debeziumProperties);
        return this;
    }

    /**
     * Adds one extra allow-listed Debezium property.
     *
     * @param key   e.g. {@code max.queue.size.in.bytes}
     * @param value its value
     * @return this
     */
    public PostgresSourceBuilder withDebeziumProperty(String key, String value) {
        if (debeziumProperties == null) {
            debeziumProperties = new LinkedHashMap<>();
        }
        debeziumProperties.put(key, value);
        return this;
    }

    /**
     * Checks every setting and reports all problems together.
     *
     * @throws ConfigurationException listing every problem (keys in camelCase), each with its fix
     */
    public void validate() {
        List<ConfigProblem> problems = problems();
        if (!problems.isEmpty()) {
            throw new ConfigurationException(
                    problems.stream().map(p -> p.render(Naming.CAMEL)).toList());
        }
    }

    /**
     * Validates and builds.
     *
     * @return the immutable config; never null
     * @throws ConfigurationException listing every problem, each with its fix
     */
    public PostgresSourceConfig build() {
        validate();
        return new PostgresSourceConfig(this);
    }

    public List<ConfigProblem> problems() {
        return ConfigValidator.problems(new PostgresSourceConfig(this));
    }
}

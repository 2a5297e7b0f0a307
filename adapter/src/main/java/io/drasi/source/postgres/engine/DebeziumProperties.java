package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.config.Naming;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Translates a {@link PostgresSourceConfig} into Debezium embedded-engine properties, and judges the extra
 * properties a user may pass ({@link Passthrough}). This is the only class that knows Debezium's property
 * names.
 */
public final class DebeziumProperties {

    /**
     * The properties of {@link #of} for an engine whose consumer may not be the adapter's {@code BatchHandler} (a
     * team's own engine, a benchmark's): every polled record reaches the consumer as itself. Only
     * {@code BatchHandler} takes a poll's records out of the one record the adapter's engine passes per poll
     * ({@link PolledBatch}); any other consumer would see one record without a value per poll.
     *
     * @param adapterProperties the result of {@link #of}; not modified
     * @return a copy without the one-record-per-poll setting
     */
    public static Properties forOwnEngine(Properties adapterProperties) {
        Properties p = new Properties();
        p.putAll(adapterProperties);
        p.remove(PolledBatch.PROPERTY);
        return p;
    }

    /**
     * Whether an engine built with {@code engineProperties} ends every transaction with an END record: Debezium's
     * transaction metadata, or the adapter's connector with its commit markers (as {@link #of} sets them).
     *
     * @param engineProperties an engine's properties; never null
     * @return true when the mapping sees every transaction's end
     */
    public static boolean endsTransactions(Properties engineProperties) {
        return "true".equals(engineProperties.getProperty("provide.transaction.metadata"))
                || ("true".equals(engineProperties.getProperty(CommitMarkers.PROPERTY))
                        && WakeOnDataPostgresConnector.class
                                .getName()
                                .equals(engineProperties.getProperty("connector.class")));
    }

    /** Prefix of the logical decoding messages the heartbeat emits. */
    static final String HEARTBEAT_PREFIX = "drasi-heartbeat";

    /** Topic prefix and engine name are derived from the source id; Debezium restricts their characters. */
    public static String topicPrefix(String sourceId) {
        String s = sourceId.replaceAll("[^A-Za-z0-9_.-]", "_");
        return s.isEmpty() ? "drasi" : s;
    }

    private DebeziumProperties() {}

    /**
     * @param sourceId   the source id
     * @param config     the validated config
     * @param tables     the tables found by the preflight
     * @param engineDefaults properties the mapping layer requires from the engine (value handling modes)
     * @return the engine properties; the password is in them, so never log the result
     */
    public static Properties of(
            String sourceId,
            PostgresSourceConfig config,
            List<Preflight.ResolvedTable> tables,
            Map<String, String> engineDefaults) {
        Properties p = new Properties();
        p.putAll(engineDefaults);
        p.setProperty("name", "drasi-" + topicPrefix(sourceId));
        // Debezium's connector, paced by data instead of a clock (issue 19): waits on the replication socket and
        // wakes the polling thread when data was read; its tasks see Debezium's own connector class.
        p.setProperty("connector.class", io.drasi.source.postgres.engine.WakeOnDataPostgresConnector.class.getName());
        p.setProperty("topic.prefix", topicPrefix(sourceId));

        p.setProperty("database.hostname", config.host());
        p.setProperty("database.port", Integer.toString(config.port()));
        p.setProperty("database.user", config.user());
        p.setProperty("database.password", config.password());
        p.setProperty("database.dbname", config.database());
        p.setProperty("database.sslmode", config.sslMode().value());
        config.sslRootCert().ifPresent(cert -> p.setProperty("database.sslrootcert", cert.toString()));
        p.setProperty("database.tcpKeepAlive", "true");
        p.setProperty(
                "connect.timeout.ms", Long.toString(config.connectTimeout().toMillis()));

        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("publication.name", config.publicationName());
        p.setProperty("publication.autocreate.mode", "disabled"); // the preflight creates it for exactly our tables
        p.setProperty(
                "table.include.list",
                tables.stream()
                        .map(t -> regexQuote(t.name().schema()) + "\\."
                                + regexQuote(t.name().table()))
                        .collect(Collectors.joining(",")));
        // Keys come from table_keys when configured; Debezium then reports them as the record key.
        String keyColumns = tables.stream()
                .filter(t -> !t.keyColumns().equals(t.primaryKey()))
                .map(t -> regexQuote(t.name().schema()) + "\\."
                        + regexQuote(t.name().table()) + ":"
                        + t.keyColumns().stream()
                                .map(DebeziumProperties::regexQuote)
                                .collect(Collectors.joining(",")))
                .collect(Collectors.joining(";"));
        if (!keyColumns.isEmpty()) {
            p.setProperty("message.key.columns", keyColumns);
        }

        p.setProperty("snapshot.mode", "no_data"); // bootstrap reads the slot's exported snapshot
        p.setProperty("skipped.operations", "none"); // deliver TRUNCATE
        p.setProperty("tombstones.on.delete", "false");
        // Every transaction ends with an END record (commit LSN and id: onCommit, handover, counts). The task queues
        // one after each COMMIT (CommitMarkers); Debezium's transaction metadata, which also builds a BEGIN and a
        // transaction block per change on the decoding thread, only where this Debezium version does not allow it.
        boolean markers = CommitMarkers.supported();
        p.setProperty(CommitMarkers.PROPERTY, Boolean.toString(markers));
        p.setProperty("provide.transaction.metadata", Boolean.toString(!markers));
        p.setProperty("slot.drop.on.stop", "false");

        // The queue returns as soon as records are there; poll_interval is the linger under steady load
        p.setProperty("poll.interval.ms", "1");
        p.setProperty(
                io.drasi.source.postgres.engine.WakeOnDataPostgresTask.LINGER_PROPERTY,
                Long.toString(Math.max(1, config.pollInterval().toMillis())));
        // a poll reaches the engine as one record (one record task per poll); BatchHandler, its consumer, unwraps it
        p.setProperty(PolledBatch.PROPERTY, "true");
        p.setProperty("max.batch.size", Integer.toString(config.maxBatchSize()));
        p.setProperty("max.queue.size", Integer.toString(config.maxQueueSize()));
        long hb = config.heartbeatInterval().toMillis();
        p.setProperty("heartbeat.interval.ms", Long.toString(hb));
        if (hb > 0) {
            // An idle captured set would otherwise pin WAL for ever: Debezium only confirms LSNs of events it
            // processed. A non-transactional logical decoding message is such an event, needs no table and no
            // write privilege (REPLICATION suffices), and is filtered out by the adapter.
            p.setProperty(
                    "heartbeat.action.query", "SELECT pg_logical_emit_message(false, '" + HEARTBEAT_PREFIX + "', '')");
            p.setProperty("message.prefix.include.list", HEARTBEAT_PREFIX);
        } else {
            p.setProperty("message.prefix.exclude.list", ".*");
        }

        // Offsets: written after every acknowledged batch by default (0 ms), so a crash replays at most
        // the unacknowledged batch.
        java.util.Optional<java.nio.file.Path> offsetFile = config.offsetStoreFile(sourceId);
        if (offsetFile.isPresent()) {
            p.setProperty("offset.storage", DurableFileOffsetStore.class.getName());
            p.setProperty(
                    "offset.storage.file.filename",
                    offsetFile.get().toAbsolutePath().toString());
        } else {
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        }
        p.setProperty(
                "offset.flush.interval.ms",
                Long.toString(config.offsetFlushInterval().toMillis()));
        p.setProperty("offset.flush.timeout.ms", "10000");

        // Connection loss: retry for ever with exponential backoff; state shows RECONNECTING meanwhile.
        p.setProperty("errors.max.retries", "-1");
        p.setProperty(
                "errors.retry.delay.initial.ms",
                Long.toString(config.reconnectBackoffInitial().toMillis()));
        p.setProperty(
                "errors.retry.delay.max.ms",
                Long.toString(config.reconnectBackoffMax().toMillis()));
        p.setProperty(
                "retriable.restart.connector.wait.ms",
                Long.toString(config.reconnectBackoffInitial().toMillis()));

        p.setProperty("record.processing.order", "ORDERED");
        // The engine hands every record to its record pool and waits for it, even with no SMT (the adapter configures
        // none). Debezium's default pool has one thread per core, so each batch wakes several threads for no-op work;
        // one thread does the same work with one hand-off (issue 19: ~30 % less CPU at 20 tx/s, docs/PERFORMANCE.md).
        // The source then runs that work on the polling thread (InlineRecordProcessing); this stays the fallback.
        p.setProperty("record.processing.threads", "1");
        config.debeziumProperties().forEach(p::setProperty);
        return p;
    }

    /**
     * Escapes an identifier for Debezium's regular-expression lists: {@code table.include.list} (comma-separated
     * regexes) and {@code message.key.columns} ({@code table:col,col;...}, split on {@code ;}, {@code :} and
     * {@code ,} before the parts are read as regexes, and trimmed). Regex metacharacters get a backslash; the
     * separators {@code , : ;} and spaces become hex escapes ({@code \x3A}), so they never split an entry and a
     * name's leading or trailing space survives trimming.
     */
    static String regexQuote(String identifier) {
        StringBuilder sb = new StringBuilder(identifier.length() + 8);
        for (int i = 0; i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            if (",:; ".indexOf(c) >= 0) {
                sb.append(String.format("\\x%02X", (int) c));
                continue;
            }
            if ("\\.[]{}()<>*+-=!?^$|".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** @return a copy safe to log: the password masked */
    public static Properties masked(Properties p) {
        Properties m = new Properties();
        m.putAll(p);
        if (m.containsKey("database.password")) {
            m.setProperty("database.password", "****");
        }
        return m;
    }

    /**
     * The allow-list for {@code debezium_properties}: extra Debezium engine properties a user may set.
     *
     * <p>Everything else is refused, because the adapter's guarantees depend on how the engine is set up
     * and because pass-through driver properties are an attack surface: pgjdbc connection properties
     * such as {@code socketFactory}/{@code sslfactory} + arg let whoever writes the configuration
     * instantiate arbitrary classes (CVE-2022-21724). Hence {@code driver.*} and {@code database.*} are
     * refused outright; connection settings have first-class keys.
     *
     * <p>Note: these are Debezium property names; the engine package translates the first-class keys.
     */
    public static final class Passthrough {

        /** Allowed keys with a one-line reason (shown in the docs). */
        public static final Map<String, String> ALLOWED = Map.of(
                "max.queue.size.in.bytes", "bound the engine queue by bytes as well as by count",
                "status.update.interval.ms", "how often the replication connection sends its position to the server",
                "xmin.fetch.interval.ms", "how often the slot's xmin is read for offsets",
                "slot.max.retries", "attempts to acquire a replication slot that is in use",
                "slot.retry.delay.ms", "delay between those attempts",
                "lsn.flush.timeout.ms", "how long to wait for an LSN flush to the slot",
                "lsn.flush.timeout.action", "fail | warn | ignore when that flush times out",
                "custom.metric.tags", "tags added to the connector's JMX metrics");

        /** Keys the adapter controls, each with the first-class key to use instead. */
        private static final Map<String, String> MANAGED = Map.ofEntries(
                Map.entry("poll.interval.ms", "poll_interval"),
                Map.entry(io.drasi.source.postgres.engine.WakeOnDataPostgresTask.LINGER_PROPERTY, "poll_interval"),
                Map.entry("max.batch.size", "max_batch_size"),
                Map.entry("max.queue.size", "max_queue_size"),
                Map.entry("heartbeat.interval.ms", "heartbeat_interval"),
                Map.entry("offset.flush.interval.ms", "offset_flush_interval"),
                Map.entry("slot.name", "slot_name"),
                Map.entry("publication.name", "publication_name"),
                Map.entry("decimal.handling.mode", "decimal_as_string"),
                Map.entry("table.include.list", "tables"),
                Map.entry("message.key.columns", "table_keys"),
                Map.entry("retriable.restart.connector.wait.ms", "reconnect_backoff_initial"),
                Map.entry("offset.storage.file.filename", "offset_store"));

        /** Allowed keys whose value must change nothing the adapter relies on, with why they are refused. */
        private static final Map<String, String> REFUSED_WITH_REASON = Map.of(
                "event.processing.failure.handling.mode",
                "'warn' or 'skip' would drop changes silently and break the delivery guarantee",
                "unavailable.value.placeholder",
                "the adapter detects unchanged TOAST values by Debezium's placeholder",
                "snapshot.mode",
                "the adapter bootstraps itself from the slot's exported snapshot",
                "skipped.operations",
                "the adapter needs every operation, including TRUNCATE",
                "slot.drop.on.stop",
                "dropping the slot on stop loses the stream position and changes",
                "provide.transaction.metadata",
                "the adapter needs transaction boundaries");

        private static final Pattern NON_NEGATIVE_LONG = Pattern.compile("\\d{1,18}");
        private static final Set<String> FLUSH_TIMEOUT_ACTIONS = Set.of("fail", "warn", "ignore");

        private Passthrough() {}

        /**
         * @param key the property name; never null
         * @return why the key may not be set, naming what to do instead; empty if allowed
         */
        public static Optional<String> refuseKey(String key, Naming naming) {
            if (ALLOWED.containsKey(key)) {
                return Optional.empty();
            }
            if (key.startsWith("driver.") || key.startsWith("database.")) {
                return Optional.of("driver and connection properties cannot be passed through (arbitrary pgjdbc "
                        + "properties allow class-instantiation attacks, CVE-2022-21724); use the first-class keys "
                        + String.join(
                                ", ",
                                java.util.stream.Stream.of(
                                                "host",
                                                "port",
                                                "database",
                                                "user",
                                                "password",
                                                "ssl_mode",
                                                "ssl_root_cert",
                                                "connect_timeout")
                                        .map(naming::key)
                                        .toList()));
            }
            String managed = MANAGED.get(key);
            if (managed != null) {
                return Optional.of("the adapter sets it; use `" + naming.key(managed) + "` instead");
            }
            String reason = REFUSED_WITH_REASON.get(key);
            if (reason != null) {
                return Optional.of("not allowed: " + reason);
            }
            return Optional.of(
                    "not on the allow-list; allowed: " + String.join(", ", new java.util.TreeSet<>(ALLOWED.keySet())));
        }

        /**
         * @param key   an allowed key
         * @param value its value; may be null
         * @return what is wrong with the value; empty if acceptable
         */
        public static Optional<String> refuseValue(String key, String value) {
            if (value == null) {
                return Optional.of("has no value");
            }
            if (key.endsWith(".ms") || key.endsWith(".retries") || key.endsWith(".in.bytes")) {
                return NON_NEGATIVE_LONG.matcher(value.trim()).matches()
                        ? Optional.empty()
                        : Optional.of("expected a whole number >= 0, got '" + value + "'");
            }
            if (key.equals("lsn.flush.timeout.action")) {
                return FLUSH_TIMEOUT_ACTIONS.contains(value.trim())
                        ? Optional.empty()
                        : Optional.of("expected fail, warn or ignore, got '" + value + "'");
            }
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                return Optional.of("must be a single line");
            }
            return Optional.empty();
        }
    }
}

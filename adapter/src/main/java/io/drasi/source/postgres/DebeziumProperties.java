package io.drasi.source.postgres;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Translates a {@link PostgresSourceConfig} into Debezium embedded-engine properties. This is the only
 * class that knows Debezium's property names (the allow-listed pass-through keys aside).
 */
final class DebeziumProperties {

    /** Prefix of the logical decoding messages the heartbeat emits. */
    static final String HEARTBEAT_PREFIX = "drasi-heartbeat";

    /** Topic prefix and engine name are derived from the source id; Debezium restricts their characters. */
    static String topicPrefix(String sourceId) {
        String s = sourceId.replaceAll("[^A-Za-z0-9_.-]", "_");
        return s.isEmpty() ? "drasi" : s;
    }

    private DebeziumProperties() {
    }

    /**
     * @param sourceId   the source id
     * @param config     the validated config
     * @param tables     the tables found by the preflight
     * @param engineDefaults properties the mapping layer requires from the engine (value handling modes)
     * @return the engine properties; the password is in them, so never log the result
     */
    static Properties of(String sourceId, PostgresSourceConfig config, List<Preflight.ResolvedTable> tables,
                         Map<String, String> engineDefaults) {
        Properties p = new Properties();
        p.putAll(engineDefaults);
        p.setProperty("name", "drasi-" + topicPrefix(sourceId));
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", topicPrefix(sourceId));

        p.setProperty("database.hostname", config.host());
        p.setProperty("database.port", Integer.toString(config.port()));
        p.setProperty("database.user", config.user());
        p.setProperty("database.password", config.password());
        p.setProperty("database.dbname", config.database());
        p.setProperty("database.sslmode", config.sslMode().value());
        config.sslRootCert().ifPresent(cert -> p.setProperty("database.sslrootcert", cert.toString()));
        p.setProperty("database.tcpKeepAlive", "true");
        // pgoutput renders values with the walsender session's settings and Debezium parses that text: a
        // database default of bytea_output=escape would otherwise reach Debezium's hex parser as garbage.
        p.setProperty("driver.options", "-c bytea_output=hex");
        p.setProperty("database.applicationName", "drasi-source-postgres:" + sourceId);
        p.setProperty("connect.timeout.ms", Long.toString(config.connectTimeout().toMillis()));

        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", config.slotName());
        p.setProperty("publication.name", config.publicationName());
        p.setProperty("publication.autocreate.mode", "disabled"); // the preflight creates it for exactly our tables
        p.setProperty("table.include.list", tables.stream()
                .map(t -> regexQuote(t.name().schema()) + "\\." + regexQuote(t.name().table()))
                .collect(Collectors.joining(",")));
        // Keys come from table_keys when configured; Debezium then reports them as the record key.
        String keyColumns = tables.stream().filter(t -> !t.keyColumns().equals(t.primaryKey()))
                .map(t -> regexQuote(t.name().schema()) + "\\." + regexQuote(t.name().table()) + ":"
                        + t.keyColumns().stream().map(DebeziumProperties::regexQuote).collect(Collectors.joining(",")))
                .collect(Collectors.joining(";"));
        if (!keyColumns.isEmpty()) {
            p.setProperty("message.key.columns", keyColumns);
        }

        p.setProperty("snapshot.mode", "no_data");            // bootstrap reads the slot's exported snapshot
        p.setProperty("skipped.operations", "none");          // deliver TRUNCATE
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("provide.transaction.metadata", "true"); // BEGIN/END: commit LSN and transaction counts
        p.setProperty("slot.drop.on.stop", "false");

        p.setProperty("poll.interval.ms", Long.toString(Math.max(1, config.pollInterval().toMillis())));
        p.setProperty("max.batch.size", Integer.toString(config.maxBatchSize()));
        p.setProperty("max.queue.size", Integer.toString(config.maxQueueSize()));
        long hb = config.heartbeatInterval().toMillis();
        p.setProperty("heartbeat.interval.ms", Long.toString(hb));
        if (hb > 0) {
            // An idle captured set would otherwise pin WAL for ever: Debezium only confirms LSNs of events it
            // processed. A non-transactional logical decoding message is such an event, needs no table and no
            // write privilege (REPLICATION suffices), and is filtered out by the adapter.
            p.setProperty("heartbeat.action.query",
                    "SELECT pg_logical_emit_message(false, '" + HEARTBEAT_PREFIX + "', '')");
            p.setProperty("message.prefix.include.list", HEARTBEAT_PREFIX);
        } else {
            p.setProperty("message.prefix.exclude.list", ".*");
        }

        // Offsets: written after every acknowledged batch by default (0 ms), so a crash replays at most
        // the unacknowledged batch.
        java.util.Optional<java.nio.file.Path> offsetFile = config.offsetStoreFile(sourceId);
        if (offsetFile.isPresent()) {
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
            p.setProperty("offset.storage.file.filename", offsetFile.get().toAbsolutePath().toString());
        } else {
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        }
        p.setProperty("offset.flush.interval.ms", Long.toString(config.offsetFlushInterval().toMillis()));
        p.setProperty("offset.flush.timeout.ms", "10000");

        // Connection loss: retry for ever with exponential backoff; state shows RECONNECTING meanwhile.
        p.setProperty("errors.max.retries", "-1");
        p.setProperty("errors.retry.delay.initial.ms", Long.toString(config.reconnectBackoffInitial().toMillis()));
        p.setProperty("errors.retry.delay.max.ms", Long.toString(config.reconnectBackoffMax().toMillis()));
        p.setProperty("retriable.restart.connector.wait.ms", Long.toString(config.reconnectBackoffInitial().toMillis()));

        p.setProperty("record.processing.order", "ORDERED");
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
    static Properties masked(Properties p) {
        Properties m = new Properties();
        m.putAll(p);
        if (m.containsKey("database.password")) {
            m.setProperty("database.password", "****");
        }
        return m;
    }
}

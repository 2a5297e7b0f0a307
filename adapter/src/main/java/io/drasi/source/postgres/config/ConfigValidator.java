package io.drasi.source.postgres.config;

import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.SlotLossPolicy;
import io.drasi.source.postgres.TableKeyConfig;
import io.drasi.source.postgres.TableRemovedPolicy;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.engine.DebeziumProperties;
import io.drasi.source.postgres.model.TableId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every rule a configuration must satisfy. Produces all problems at once; each names the key (in the
 * spelling chosen at render time) and says how to fix it. Never includes a secret value.
 */
public final class ConfigValidator {

    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");
    private static final Pattern PUBLICATION_NAME = Pattern.compile("[a-z_][a-z0-9_$]*");

    private ConfigValidator() {}

    public static List<ConfigProblem> problems(PostgresSourceConfig c) {
        List<ConfigProblem> out = new ArrayList<>();
        Set<ConfigKey<?>> nullKeys = new HashSet<>();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            if (k.get(c) == null && !k.nullable()) {
                nullKeys.add(k);
                out.add(new ConfigProblem(
                        k,
                        n -> "`" + n.of(k) + "` is "
                                + (k.required()
                                        ? "required; set it"
                                        : "null; set a value or leave it at its default " + k.defaultText())));
            }
        }
        // in registry order, so problems read in the order the keys are documented
        connection(c, nullKeys, out);
        Set<TableId> tables = nullKeys.contains(ConfigKeys.TABLES) ? null : tables(c, out);
        names(c, nullKeys, out);
        ssl(c, nullKeys, out);
        if (tables != null && !nullKeys.contains(ConfigKeys.TABLE_KEYS)) {
            tableKeys(c.tableKeys(), tables, out);
        }
        offsets(c, nullKeys, out);
        tuning(c, nullKeys, out);
        if (!nullKeys.contains(ConfigKeys.RELATION_LABELS)) {
            relationLabels(c, out);
        }
        if (!nullKeys.contains(ConfigKeys.DEBEZIUM_PROPERTIES)) {
            debezium(c, out);
        }
        return out;
    }

    private static void connection(PostgresSourceConfig c, Set<ConfigKey<?>> nulls, List<ConfigProblem> out) {
        if (!nulls.contains(ConfigKeys.HOST) && c.host().isBlank()) {
            out.add(new ConfigProblem(
                    ConfigKeys.HOST,
                    n -> "`" + n.of(ConfigKeys.HOST)
                            + "` is empty; set the PostgreSQL host name or address (default localhost)"));
        }
        int port = c.port();
        if (port < 1 || port > 65535) {
            out.add(new ConfigProblem(
                    ConfigKeys.PORT,
                    n -> "`" + n.of(ConfigKeys.PORT) + "` is " + port
                            + "; use a TCP port between 1 and 65535 (PostgreSQL's default is 5432)"));
        }
        for (ConfigKey<String> k : List.of(ConfigKeys.DATABASE, ConfigKeys.USER)) {
            if (!nulls.contains(k) && k.get(c).isBlank()) {
                out.add(new ConfigProblem(k, n -> "`" + n.of(k) + "` is required; set it"));
            }
        }
    }

    private static Set<TableId> tables(PostgresSourceConfig c, List<ConfigProblem> out) {
        ConfigKey<List<String>> key = ConfigKeys.TABLES;
        List<String> tables = c.tables();
        if (tables.isEmpty()) {
            out.add(new ConfigProblem(
                    key,
                    n -> "`" + n.of(key) + "` is empty; list at least one table to capture "
                            + "(the publication is created for exactly these tables), e.g. [users, sales.orders]"));
        }
        Map<TableId, Integer> seen = new HashMap<>();
        Set<TableId> parsed = new HashSet<>();
        for (int i = 0; i < tables.size(); i++) {
            int index = i;
            String t = tables.get(i);
            if (t == null) {
                out.add(new ConfigProblem(key, n -> "`" + n.of(key) + "[" + index + "]` is null; give a table name"));
                continue;
            }
            TableId name;
            try {
                name = TableId.parseQualified(t);
            } catch (IllegalArgumentException e) {
                out.add(new ConfigProblem(
                        key,
                        n -> "`" + n.of(key) + "[" + index + "]`: '" + t + "' is not a valid table name: "
                                + e.getMessage()));
                continue;
            }
            Integer first = seen.putIfAbsent(name, i);
            if (first != null) {
                out.add(new ConfigProblem(
                        key,
                        n -> "`" + n.of(key) + "[" + index + "]`: '" + t + "' names the same table as entry " + first
                                + " (" + name.sql() + "); list each table once"));
            }
            parsed.add(name);
        }
        return parsed;
    }

    private static void tableKeys(List<TableKeyConfig> keys, Set<TableId> tables, List<ConfigProblem> out) {
        ConfigKey<List<TableKeyConfig>> key = ConfigKeys.TABLE_KEYS;
        Map<TableId, Integer> seen = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            int index = i;
            TableKeyConfig k = keys.get(i);
            if (k == null) {
                out.add(new ConfigProblem(key, n -> "`" + n.of(key) + "[" + index + "]` is null; remove it"));
                continue;
            }
            String at = "[" + i + "]";
            try {
                TableId name = TableId.parseQualified(k.table());
                Integer first = seen.putIfAbsent(name, i);
                if (first != null) {
                    out.add(new ConfigProblem(
                            key,
                            n -> "`" + n.of(key) + at + "`: table '" + k.table() + "' already has key columns in entry "
                                    + first + "; configure each table once"));
                } else if (!tables.contains(name)) {
                    out.add(new ConfigProblem(
                            key,
                            n -> "`" + n.of(key) + at + "`: table '" + k.table() + "' is not in `"
                                    + n.of(ConfigKeys.TABLES) + "`; add it there or remove this entry"));
                }
            } catch (IllegalArgumentException e) {
                out.add(new ConfigProblem(
                        key,
                        n -> "`" + n.of(key) + at + ".table`: '" + k.table() + "' is not a valid table name: "
                                + e.getMessage()));
            }
            if (k.keyColumns().isEmpty()) {
                out.add(new ConfigProblem(
                        key,
                        n -> "`" + n.of(key) + at + "." + n.nested("key_columns", "keyColumns")
                                + "` is empty; list the column(s) that identify a row of '" + k.table() + "'"));
            }
            Set<String> columns = new HashSet<>();
            for (String col : k.keyColumns()) {
                if (col.isBlank()) {
                    out.add(new ConfigProblem(
                            key,
                            n -> "`" + n.of(key) + at + "." + n.nested("key_columns", "keyColumns")
                                    + "` contains an empty column name; remove it"));
                } else if (!columns.add(col)) {
                    out.add(new ConfigProblem(
                            key,
                            n -> "`" + n.of(key) + at + "." + n.nested("key_columns", "keyColumns") + "`: column '"
                                    + col + "' is listed twice; list each key column once"));
                }
            }
        }
    }

    private static void names(PostgresSourceConfig c, Set<ConfigKey<?>> nulls, List<ConfigProblem> out) {
        if (!nulls.contains(ConfigKeys.SLOT_NAME)
                && !SLOT_NAME.matcher(c.slotName()).matches()) {
            String v = c.slotName();
            out.add(new ConfigProblem(
                    ConfigKeys.SLOT_NAME,
                    n -> "`" + n.of(ConfigKeys.SLOT_NAME) + "`: '" + v
                            + "' is not a valid replication slot name; use 1-63 characters of a-z, 0-9 and _ "
                            + "(e.g. drasi_slot)"));
        }
        if (!nulls.contains(ConfigKeys.PUBLICATION_NAME)) {
            String v = c.publicationName();
            if (!PUBLICATION_NAME.matcher(v).matches() || v.getBytes(StandardCharsets.UTF_8).length > 63) {
                out.add(new ConfigProblem(
                        ConfigKeys.PUBLICATION_NAME,
                        n -> "`" + n.of(ConfigKeys.PUBLICATION_NAME)
                                + "`: '" + v
                                + "' is not a valid publication name; use a lower-case identifier of at most "
                                + "63 characters: a-z or _ first, then a-z, 0-9, _ or $ (e.g. drasi_publication)"));
            }
        }
    }

    private static void ssl(PostgresSourceConfig c, Set<ConfigKey<?>> nulls, List<ConfigProblem> out) {
        ConfigKey<Path> certKey = ConfigKeys.SSL_ROOT_CERT;
        ConfigKey<SslMode> modeKey = ConfigKeys.SSL_MODE;
        Path cert = c.sslRootCert().orElse(null);
        SslMode mode = c.sslMode();
        if (mode != null && mode.verifiesCertificate() && cert == null) {
            out.add(new ConfigProblem(
                    certKey,
                    n -> "`" + n.of(modeKey) + "` " + mode.value() + " verifies the server "
                            + "certificate but `" + n.of(certKey)
                            + "` is not set; set it to the CA certificate (PEM) file, "
                            + "or use " + n.of(modeKey) + " require"));
        }
        if (mode == SslMode.DISABLE && cert != null) {
            out.add(new ConfigProblem(
                    certKey,
                    n -> "`" + n.of(certKey) + "` is set but `" + n.of(modeKey)
                            + "` is disable, so it would be ignored; use verify-full (or verify-ca), or remove `"
                            + n.of(certKey) + "`"));
        }
        if (cert != null && mode != SslMode.DISABLE && !Files.isRegularFile(cert)) {
            out.add(new ConfigProblem(
                    certKey,
                    n -> "`" + n.of(certKey) + "`: file '" + cert
                            + "' does not exist or is not a regular file; give the path of the CA certificate (PEM)"));
        }
    }

    private static void offsets(PostgresSourceConfig c, Set<ConfigKey<?>> nulls, List<ConfigProblem> out) {
        ConfigKey<String> key = ConfigKeys.OFFSET_STORE;
        if (!nulls.contains(key) && c.offsetsInMemory()) {
            for (ConfigKey<?> needsHeld : heldElementsNeededBy(c, nulls)) {
                out.add(new ConfigProblem(
                        needsHeld,
                        n -> "`" + n.of(needsHeld) + "` is " + needsHeld.get(c) + " but `" + n.of(key) + "` is "
                                + ConfigKeys.IN_MEMORY_OFFSET_STORE
                                + ": the element ids the consumer holds are kept beside the"
                                + " offset file; give `" + n.of(key) + "` a file path or set `" + n.of(needsHeld)
                                + "` to " + needsHeld.defaultValue()));
            }
        }
        if (nulls.contains(key) || c.offsetsInMemory()) {
            return;
        }
        String v = c.offsetStore();
        String problem = null;
        if (v.isBlank()) {
            problem = "is empty";
        } else {
            try {
                Path p = Path.of(v.replace(ConfigKeys.SOURCE_ID_PLACEHOLDER, "id"));
                if (p.getFileName() == null) {
                    problem = "'" + v + "' names no file";
                }
            } catch (InvalidPathException e) {
                problem = "'" + v + "' is not a valid path: " + e.getReason();
            }
        }
        if (problem != null) {
            String what = problem;
            out.add(new ConfigProblem(
                    key,
                    n -> "`" + n.of(key) + "` " + what + "; give a file path (may contain "
                            + ConfigKeys.SOURCE_ID_PLACEHOLDER + "), e.g. " + ConfigKeys.DEFAULT_OFFSET_STORE + ", or "
                            + ConfigKeys.IN_MEMORY_OFFSET_STORE));
        }
    }

    private static void tuning(PostgresSourceConfig c, Set<ConfigKey<?>> nulls, List<ConfigProblem> out) {
        positive(c, ConfigKeys.POLL_INTERVAL, nulls, out);
        positive(c, ConfigKeys.CONNECT_TIMEOUT, nulls, out);
        positive(c, ConfigKeys.RECONNECT_BACKOFF_INITIAL, nulls, out);
        positive(c, ConfigKeys.RECONNECT_BACKOFF_MAX, nulls, out);
        notNegative(c, ConfigKeys.HEARTBEAT_INTERVAL, nulls, out);
        notNegative(c, ConfigKeys.OFFSET_FLUSH_INTERVAL, nulls, out);
        int batch = c.maxBatchSize();
        int queue = c.maxQueueSize();
        ConfigKey<Integer> batchKey = ConfigKeys.MAX_BATCH_SIZE;
        ConfigKey<Integer> queueKey = ConfigKeys.MAX_QUEUE_SIZE;
        if (batch < 1) {
            out.add(new ConfigProblem(
                    batchKey,
                    n -> "`" + n.of(batchKey) + "` is " + batch + "; use at least 1 (default " + batchKey.defaultValue()
                            + ")"));
        }
        if (queue <= batch) {
            out.add(new ConfigProblem(
                    queueKey,
                    n -> "`" + n.of(queueKey) + "` (" + queue + ") must be greater than `" + n.of(batchKey) + "` ("
                            + batch + "); raise it, e.g. to 4 x the batch size"));
        }
        Duration initial = c.reconnectBackoffInitial();
        Duration max = c.reconnectBackoffMax();
        if (initial != null && max != null && max.compareTo(initial) < 0) {
            ConfigKey<Duration> maxKey = ConfigKeys.RECONNECT_BACKOFF_MAX;
            ConfigKey<Duration> initKey = ConfigKeys.RECONNECT_BACKOFF_INITIAL;
            out.add(new ConfigProblem(
                    maxKey,
                    n -> "`" + n.of(maxKey) + "` (" + Durations.format(max)
                            + ") is shorter than `" + n.of(initKey) + "` (" + Durations.format(initial)
                            + "); make it at least as long"));
        }
    }

    private static void positive(
            PostgresSourceConfig c, ConfigKey<Duration> k, Set<ConfigKey<?>> nulls, List<ConfigProblem> out) {
        Duration d = k.get(c);
        if (nulls.contains(k) || d == null) {
            return;
        }
        if (d.compareTo(Duration.ofMillis(1)) < 0) {
            out.add(new ConfigProblem(
                    k,
                    n -> "`" + n.of(k) + "` is " + Durations.format(d) + "; use at least 1ms (default "
                            + Durations.format(k.defaultValue()) + ")"));
        }
    }

    private static void notNegative(
            PostgresSourceConfig c, ConfigKey<Duration> k, Set<ConfigKey<?>> nulls, List<ConfigProblem> out) {
        Duration d = k.get(c);
        if (nulls.contains(k) || d == null) {
            return;
        }
        if (d.isNegative()) {
            out.add(new ConfigProblem(
                    k,
                    n -> "`" + n.of(k) + "` is " + Durations.format(d)
                            + "; use 0 to disable or a positive duration (default " + Durations.format(k.defaultValue())
                            + ")"));
        }
    }

    /** @return the keys whose value needs the held element ids ({@code <offset_store>.held}), in key order */
    private static List<ConfigKey<?>> heldElementsNeededBy(PostgresSourceConfig c, Set<ConfigKey<?>> nulls) {
        List<ConfigKey<?>> keys = new ArrayList<>(2);
        if (!nulls.contains(ConfigKeys.ON_SLOT_LOSS) && c.onSlotLoss() == SlotLossPolicy.RESYNC) {
            keys.add(ConfigKeys.ON_SLOT_LOSS);
        }
        if (!nulls.contains(ConfigKeys.ON_TABLE_REMOVED) && c.onTableRemoved() == TableRemovedPolicy.DELETE) {
            keys.add(ConfigKeys.ON_TABLE_REMOVED);
        }
        return keys;
    }

    private static void relationLabels(PostgresSourceConfig c, List<ConfigProblem> out) {
        ConfigKey<Map<String, String>> key = ConfigKeys.RELATION_LABELS;
        if (c.foreignKeyRelations()) {
            // resync and table removal work on the consumer's held elements, which do not track relations (yet)
            for (ConfigKey<?> needsHeld : heldElementsNeededBy(c, Set.of())) {
                out.add(new ConfigProblem(
                        ConfigKeys.FOREIGN_KEY_RELATIONS,
                        n -> "`" + n.of(ConfigKeys.FOREIGN_KEY_RELATIONS)
                                + "` and `" + n.of(needsHeld) + ": " + needsHeld.get(c)
                                + "` are not supported together yet (the element ids kept for it do not"
                                + " track relations); set `" + n.of(needsHeld) + "` to " + needsHeld.defaultValue()
                                + ", or turn relations off"));
            }
        }
        if (!c.relationLabels().isEmpty() && !c.foreignKeyRelations()) {
            out.add(new ConfigProblem(
                    key,
                    n -> "`" + n.of(key) + "` is set but `" + n.of(ConfigKeys.FOREIGN_KEY_RELATIONS)
                            + "` is false; set it to true or remove the labels"));
        }
        c.relationLabels().forEach((k, v) -> {
            if (k == null || k.isBlank()) {
                out.add(new ConfigProblem(key, n -> "`" + n.of(key) + "` has an empty constraint name; remove it"));
            } else if (v == null || v.isBlank()) {
                out.add(new ConfigProblem(
                        key,
                        n -> "`" + n.of(key) + "." + k + "` is empty; give a label or remove"
                                + " the entry (the default label is the constraint name)"));
            }
        });
    }

    private static void debezium(PostgresSourceConfig c, List<ConfigProblem> out) {
        ConfigKey<Map<String, String>> key = ConfigKeys.DEBEZIUM_PROPERTIES;
        c.debeziumProperties().forEach((k, v) -> {
            if (k == null) {
                out.add(new ConfigProblem(key, n -> "`" + n.of(key) + "` has a null key; remove it"));
                return;
            }
            if (DebeziumProperties.Passthrough.refuseKey(k, Naming.SNAKE).isPresent()) {
                out.add(new ConfigProblem(
                        key,
                        n -> "`" + n.of(key) + "." + k + "`: "
                                + DebeziumProperties.Passthrough.refuseKey(k, n).orElseThrow()));
            } else {
                DebeziumProperties.Passthrough.refuseValue(k, v)
                        .ifPresent(
                                why -> out.add(new ConfigProblem(key, n -> "`" + n.of(key) + "." + k + "`: " + why)));
            }
        });
    }
}

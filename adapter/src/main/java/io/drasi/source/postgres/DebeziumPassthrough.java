package io.drasi.source.postgres;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

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
final class DebeziumPassthrough {

    /** Allowed keys with a one-line reason (shown in the docs). */
    static final Map<String, String> ALLOWED = Map.of(
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
            "snapshot.mode", "the adapter bootstraps itself from the slot's exported snapshot",
            "skipped.operations", "the adapter needs every operation, including TRUNCATE",
            "slot.drop.on.stop", "dropping the slot on stop loses the stream position and changes",
            "provide.transaction.metadata", "the adapter needs transaction boundaries");

    private static final Pattern NON_NEGATIVE_LONG = Pattern.compile("\\d{1,18}");
    private static final Set<String> FLUSH_TIMEOUT_ACTIONS = Set.of("fail", "warn", "ignore");

    private DebeziumPassthrough() {
    }

    /**
     * @param key the property name; never null
     * @return why the key may not be set, naming what to do instead; empty if allowed
     */
    static Optional<String> refuseKey(String key, Naming naming) {
        if (ALLOWED.containsKey(key)) {
            return Optional.empty();
        }
        if (key.startsWith("driver.") || key.startsWith("database.")) {
            return Optional.of("driver and connection properties cannot be passed through (arbitrary pgjdbc "
                    + "properties allow class-instantiation attacks, CVE-2022-21724); use the first-class keys "
                    + String.join(", ", java.util.stream.Stream.of("host", "port", "database", "user", "password",
                            "ssl_mode", "ssl_root_cert", "connect_timeout").map(naming::key).toList()));
        }
        String managed = MANAGED.get(key);
        if (managed != null) {
            return Optional.of("the adapter sets it; use `" + naming.key(managed) + "` instead");
        }
        String reason = REFUSED_WITH_REASON.get(key);
        if (reason != null) {
            return Optional.of("not allowed: " + reason);
        }
        return Optional.of("not on the allow-list; allowed: " + String.join(", ", new java.util.TreeSet<>(ALLOWED.keySet())));
    }

    /**
     * @param key   an allowed key
     * @param value its value; may be null
     * @return what is wrong with the value; empty if acceptable
     */
    static Optional<String> refuseValue(String key, String value) {
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

package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.SourceStats;
import io.drasi.source.postgres.mapping.value.UnmappableValueException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Under {@code unmappable_values: text}: counts every value delivered as text and warns once per column (the first
 * value's reason, and that later ones are only counted in {@link SourceStats#unmappableValues()}).
 *
 * <p>Thread-safety: safe for concurrent use (the stream, a bootstrap and the TOAST re-read may convert at once).
 */
public final class UnmappableValueLog implements Consumer<UnmappableValueException> {

    private static final Logger LOG = LoggerFactory.getLogger(UnmappableValueLog.class);

    private final String sourceId;
    private final StatsCounter stats;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public UnmappableValueLog(String sourceId, StatsCounter stats) {
        this.sourceId = sourceId;
        this.stats = stats;
    }

    @Override
    public void accept(UnmappableValueException e) {
        stats.unmappableValue();
        if (warned.add(e.table().toQuotedString() + "." + e.column())) {
            LOG.warn(
                    "source {}: delivering PostgreSQL's text form for column {}.{} (type {}) because its value"
                            + " cannot be converted ({}); unmappable_values is 'text'. Further values of this column"
                            + " are counted in stats().unmappableValues() without another warning.",
                    sourceId,
                    e.table(),
                    e.column(),
                    e.pgType(),
                    e.getCause() == null ? "?" : e.getCause().getMessage());
        }
    }
}

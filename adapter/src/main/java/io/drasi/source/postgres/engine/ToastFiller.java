package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.bootstrap.RowLookup;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.mapping.MappedRecord;
import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills properties whose value Debezium reported as unavailable — unchanged TOAST columns of an UPDATE
 * under REPLICA IDENTITY DEFAULT — by re-reading them by key ({@link RowLookup}), so an Update never
 * drops a property. Under REPLICA IDENTITY FULL Debezium fills them from the old tuple and this is not
 * called. Trade-off (documented in README): the value is the row's current one; a later change to that
 * column is streamed afterwards in full, so the element converges. If the row is gone (deleted by a later
 * transaction, whose Delete follows in the stream) the properties stay absent until that Delete.
 *
 * <p>Runs on the delivery thread only.
 */
public final class ToastFiller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ToastFiller.class);

    private final RowLookup lookup;
    private final Map<TableId, List<String>> keyColumns = new HashMap<>();

    public ToastFiller(
            ConnectionSettings connections, PgValueConverter converter, List<Preflight.ResolvedTable> tables) {
        this.lookup = new RowLookup(connections, converter);
        for (Preflight.ResolvedTable t : tables) {
            keyColumns.put(t.name(), t.keyColumns());
        }
    }

    /**
     * The catalog's column types of a table, read over the same connection (delivery thread). Best effort: when the
     * table is gone (dropped while its changes are still being streamed) or the catalog cannot be read, the mapping
     * falls back to Debezium's schemas, which only lack domains' base types.
     */
    public Map<String, PgColumnType> columnTypes(TableId table) {
        try {
            return lookup.columnTypes(table);
        } catch (RuntimeException e) {
            LOG.debug(
                    "column types of {} not available ({}); mapping its changes from Debezium's schema",
                    table,
                    e.getMessage());
            return Map.of();
        }
    }

    SourceChange fill(MappedRecord record, SourceChange change) {
        Node node;
        boolean insert = change instanceof SourceChange.Insert;
        if (change instanceof SourceChange.Insert i) {
            node = i.element();
        } else if (change instanceof SourceChange.Update u) {
            node = u.element();
        } else {
            return change;
        }
        List<String> keys = keyColumns.get(record.table());
        if (keys == null) {
            throw new DrasiPostgresException("unchanged TOAST value for unknown table " + record.table());
        }
        Map<String, ElementValue> key = new LinkedHashMap<>();
        for (String k : keys) {
            key.put(k, node.properties().getOrDefault(k, ElementValue.NULL));
        }
        Optional<Map<String, ElementValue>> values = lookup.read(record.table(), key, record.unavailableProperties());
        if (values.isEmpty()) {
            LOG.debug(
                    "row {} of {} is gone; unchanged TOAST columns {} stay absent until its Delete arrives",
                    key,
                    record.table(),
                    record.unavailableProperties());
            return change;
        }
        Map<String, ElementValue> props = new LinkedHashMap<>(node.properties());
        props.putAll(values.get());
        Node filled = new Node(node.metadata(), props);
        return insert ? new SourceChange.Insert(filled) : new SourceChange.Update(filled);
    }

    @Override
    public void close() {
        lookup.close();
    }
}

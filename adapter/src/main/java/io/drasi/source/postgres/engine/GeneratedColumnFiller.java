package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.GeneratedColumns;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.bootstrap.RowLookup;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes stored generated columns properties of streamed Inserts and Updates exactly as the bootstrap
 * delivers them ({@link GeneratedColumns}):
 *
 * <ul>
 *   <li>{@code include}, columns not published (PostgreSQL before 18, or a publication without
 *   {@code publish_generated_columns = stored}): reads them by key after the change, <b>one query per table
 *   per delivered batch</b> ({@link RowLookup#readMany}; at most {@value RowLookup#MAX_KEYS_PER_QUERY} keys per
 *   statement). The value read is the row's current one, the same trade-off as the TOAST re-read: a later
 *   change is streamed afterwards, so the element converges; a row already deleted again keeps the columns
 *   absent until its Delete, which follows in the stream.</li>
 *   <li>{@code include}, columns published (18+ with {@code publish_generated_columns = stored}): nothing to do.</li>
 *   <li>{@code omit}: removes them from changes that carry them.</li>
 * </ul>
 *
 * <p>Runs on the delivery thread only.
 */
public final class GeneratedColumnFiller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GeneratedColumnFiller.class);

    private enum Action {
        NONE,
        READ,
        STRIP
    }

    private final Action action;
    private final Map<TableId, Preflight.ResolvedTable> tables = new HashMap<>();
    private final ConnectionSettings connections;
    private final PgValueConverter converter;
    private RowLookup lookup;

    /**
     * @param published whether pgoutput publishes the generated columns (18+ and the publication says so)
     */
    public GeneratedColumnFiller(
            ConnectionSettings connections,
            PostgresSourceConfig config,
            PgValueConverter converter,
            List<Preflight.ResolvedTable> resolved,
            boolean published) {
        this.connections = connections;
        this.converter = converter;
        for (Preflight.ResolvedTable t : resolved) {
            if (!t.generatedColumns().isEmpty()) {
                tables.put(t.name(), t);
            }
        }
        if (tables.isEmpty()) {
            action = Action.NONE;
        } else if (config.generatedColumns() == GeneratedColumns.OMIT) {
            action = Action.STRIP;
        } else {
            action = published ? Action.NONE : Action.READ;
        }
        if (action == Action.READ) {
            LOG.info(
                    "generated columns of {} are not published by this server/publication; they are read by key"
                            + " after each change (one query per table per batch)",
                    tables.keySet());
        }
    }

    /**
     * @param changes      a batch's changes, in order
     * @param tableOfChange the table of each change (same index)
     * @return the changes with generated columns filled (or removed); the same list when nothing applies
     */
    List<PositionedChange> fill(List<PositionedChange> changes, List<TableId> tableOfChange) {
        if (action == Action.NONE || changes.isEmpty()) {
            return changes;
        }
        Map<TableId, List<Integer>> byTable = new LinkedHashMap<>();
        for (int i = 0; i < changes.size(); i++) {
            SourceChange c = changes.get(i).change();
            if (tables.containsKey(tableOfChange.get(i))
                    && (c instanceof SourceChange.Insert || c instanceof SourceChange.Update)) {
                byTable.computeIfAbsent(tableOfChange.get(i), k -> new ArrayList<>())
                        .add(i);
            }
        }
        if (byTable.isEmpty()) {
            return changes;
        }
        List<PositionedChange> out = new ArrayList<>(changes);
        for (Map.Entry<TableId, List<Integer>> e : byTable.entrySet()) {
            Preflight.ResolvedTable table = tables.get(e.getKey());
            if (action == Action.STRIP) {
                for (int i : e.getValue()) {
                    out.set(
                            i,
                            with(out.get(i), props -> table.generatedColumns().forEach(props::remove)));
                }
                continue;
            }
            List<List<ElementValue>> keys = new ArrayList<>();
            for (int i : e.getValue()) {
                keys.add(key(node(out.get(i).change()), table.keyColumns()));
            }
            Map<List<String>, Map<String, ElementValue>> found = lookup().readMany(
                            e.getKey(),
                            table.keyColumns(),
                            List.copyOf(new LinkedHashSet<>(keys)),
                            new LinkedHashSet<>(table.generatedColumns()));
            for (int n = 0; n < e.getValue().size(); n++) {
                Map<String, ElementValue> values = found.get(canonical(keys.get(n)));
                int i = e.getValue().get(n);
                if (values == null) {
                    LOG.debug(
                            "row {} of {} is gone; its generated columns stay absent until its Delete arrives",
                            keys.get(n),
                            e.getKey());
                    continue;
                }
                out.set(i, with(out.get(i), props -> props.putAll(values)));
            }
        }
        return out;
    }

    private RowLookup lookup() {
        if (lookup == null) {
            lookup = new RowLookup(connections, converter);
        }
        return lookup;
    }

    private static List<ElementValue> key(Node node, List<String> keyColumns) {
        List<ElementValue> key = new ArrayList<>(keyColumns.size());
        for (String k : keyColumns) {
            key.add(node.properties().getOrDefault(k, ElementValue.NULL));
        }
        return key;
    }

    private static List<String> canonical(List<ElementValue> key) {
        return key.stream().map(PgValueConverter::canonicalKey).toList();
    }

    private static Node node(SourceChange c) {
        return c instanceof SourceChange.Insert i ? i.element() : ((SourceChange.Update) c).element();
    }

    private static PositionedChange with(
            PositionedChange pc, java.util.function.Consumer<Map<String, ElementValue>> edit) {
        Node node = node(pc.change());
        Map<String, ElementValue> props = new LinkedHashMap<>(node.properties());
        edit.accept(props);
        Node changed = new Node(node.metadata(), props);
        SourceChange c = pc.change() instanceof SourceChange.Insert
                ? new SourceChange.Insert(changed)
                : new SourceChange.Update(changed);
        return new PositionedChange(c, pc.position());
    }

    @Override
    public void close() {
        if (lookup != null) {
            lookup.close();
        }
    }
}

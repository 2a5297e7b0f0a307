package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.ForeignKey;
import io.drasi.source.postgres.mapping.ForeignKeys;
import io.drasi.source.postgres.mapping.MissingKeyException;
import io.drasi.source.postgres.mapping.TableKeys;
import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.PropertyMap;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a consistent snapshot of the configured tables as Drasi Insert changes: one
 * {@link SourceChange.Insert} per row, streamed to a {@link BootstrapSink}, never a whole table in
 * memory.
 *
 * <p>Each row becomes a node with labels {@code [table]}, properties = every (non-generated) column
 * converted by the mapping module's value table (the same one streaming uses), element id
 * {@code schema:table:key...} from the key columns (configured {@code table_keys}, else the primary
 * key) rendered by the same canonical key encoder as streaming, and {@code effective_from} = the
 * server's clock read just before the slot was created ({@link SnapshotSlot#createdAtMs()}): no
 * streamed transaction after the snapshot has an earlier commit time, so an element's bootstrap
 * version never looks newer than its first streamed change.
 *
 * <p>With {@linkplain Builder#foreignKeys foreign keys}, each child row's relation (when its foreign-key columns
 * are all non-null) follows the row's Insert through {@link BootstrapSink#acceptRelation}, built from the same
 * snapshot row with the same id encoder as the stream, so the hand-over is the same as for nodes.
 *
 * <p>All tables are read in ONE repeatable-read, read-only transaction that imports the slot's
 * exported snapshot, so the rows reflect exactly the transactions committed before the slot's
 * consistent point. Rows are read with {@code COPY (SELECT ...) TO STDOUT} (text) and parsed as they
 * arrive (chosen by measurement over a fetch-size cursor) on a helper thread, which hands them to the
 * calling thread in batches of 256 through a queue of 8 batches; conversion and the sink run on the
 * calling thread. Every table is described (and its key
 * checked) before the first row is delivered, so a missing table or key fails before any output.
 *
 * <p>Thread-safety: immutable; several bootstraps may run concurrently (each uses its own
 * connections). Each {@code bootstrap} call runs on the caller's thread and calls the sink and the
 * progress listener on it.
 */
public final class BootstrapProvider {

    private static final Logger LOG = LoggerFactory.getLogger(BootstrapProvider.class);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
    private static final int PIPELINE_BATCH = 256;
    private static final int PIPELINE_DEPTH = 8;

    private final ConnectionFactory connections;
    private final String sourceId;
    private final List<TableId> tables;
    private final ValueMapping values;
    private final TableKeys keys;
    private final ForeignKeys foreignKeys;
    private final BootstrapProgress progress;
    private final long progressIntervalNanos;
    private final TableReader.Mode readMode;
    private final int fetchSize;
    private final boolean includeGeneratedColumns;
    private final String publication;
    private final BootstrapCancellation cancellation;

    private BootstrapProvider(Builder b) {
        this.connections = Objects.requireNonNull(b.connections, "connections");
        this.sourceId = Objects.requireNonNull(b.sourceId, "sourceId (call sourceId(..))");
        this.tables = List.copyOf(b.tables);
        this.values = Objects.requireNonNull(b.values, "value mapping");
        this.keys = Objects.requireNonNull(b.keys, "tableKeys");
        this.foreignKeys = Objects.requireNonNull(b.foreignKeys, "foreignKeys");
        this.progress = Objects.requireNonNull(b.progress, "progress");
        this.progressIntervalNanos = b.progressInterval.toNanos();
        this.readMode = b.readMode;
        this.fetchSize = b.fetchSize;
        this.includeGeneratedColumns = b.includeGeneratedColumns;
        this.publication = b.publication;
        this.cancellation = b.cancellation;
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("no tables configured for the bootstrap");
        }
    }

    /**
     * @param connections opens the connections; never null
     * @return a builder
     */
    public static Builder builder(ConnectionFactory connections) {
        return new Builder(connections);
    }

    /** @return the configured tables, in bootstrap order */
    public List<TableId> tables() {
        return tables;
    }

    /**
     * Selects the configured tables whose name is one of {@code labels} (a label is the bare table name,
     * as in the element labels), or that hold a foreign key whose relation label is one of them
     * ({@code foreign_key_relations}: a relation label bootstraps its relations); every configured table when
     * {@code labels} is empty. Labels that match
     * no configured table are ignored: a query may also ask for labels of other sources.
     *
     * @param labels requested labels; never null
     * @return matching tables in configured order
     */
    public List<TableId> tablesFor(Set<String> labels) {
        Objects.requireNonNull(labels, "labels");
        if (labels.isEmpty()) {
            return tables;
        }
        List<TableId> out = new ArrayList<>();
        for (TableId t : tables) {
            if (labels.contains(t.table()) || !relationsFor(t, labels).isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** @return the foreign keys of {@code table} whose relations a bootstrap for {@code labels} delivers */
    private List<ForeignKey> relationsFor(TableId table, Set<String> labels) {
        List<ForeignKey> out = new ArrayList<>();
        for (ForeignKey fk : foreignKeys.ofChild(table)) {
            if (labels.isEmpty() || labels.contains(fk.label())) {
                out.add(fk);
            }
        }
        return out;
    }

    /**
     * Reads the snapshot of an open slot (first start: a permanent slot, which is afterwards handed to
     * the streaming engine). Does not close the slot; close it when this returns (or throws).
     *
     * @param slot   an open slot whose snapshot has not been used up; never null
     * @param labels table names to bootstrap, empty for all configured tables; never null
     * @param sink   receives every row; never null
     * @return what was delivered and the snapshot's consistent point
     * @throws TableMissingException when a selected table does not exist (or was dropped meanwhile)
     * @throws MissingKeyException   when a selected table has no usable key
     * @throws BootstrapCancelledException when the {@linkplain Builder#cancellation cancellation} was cancelled
     * @throws BootstrapException    on any other failure (message names the fix)
     * @throws RuntimeException      whatever the sink throws, unchanged
     */
    public BootstrapResult bootstrap(SnapshotSlot slot, Set<String> labels, BootstrapSink sink) {
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(sink, "sink");
        if (!slot.isOpen()) {
            throw new BootstrapException("the snapshot of slot " + slot.slotName() + " is no longer available: the"
                    + " SnapshotSlot was closed before the bootstrap; keep it open until bootstrap(..) returns");
        }
        List<TableId> selected = tablesFor(labels);
        long started = System.nanoTime();
        List<BootstrapResult.TableResult> results = new ArrayList<>();
        BootstrapResult result;
        cancellation.check("bootstrap from slot " + slot.slotName());
        try (Connection c = open();
                BootstrapCancellation.Registration r = cancellation.register(c)) {
            TransactionSnapshot snapshot = beginSnapshot(c, slot);
            Catalog catalog = new Catalog(c, publication);
            List<Plan> plans = new ArrayList<>();
            for (TableId t : selected) {
                plans.add(plan(catalog, t, labels));
            }
            TableReader reader = new TableReader(c, readMode, fetchSize);
            for (int i = 0; i < plans.size(); i++) {
                results.add(readTable(reader, plans.get(i), i + 1, plans.size(), slot.createdAtMs(), sink));
            }
            c.commit();
            result = new BootstrapResult(
                    slot.slotName(),
                    slot.temporary(),
                    slot.consistentPoint(),
                    slot.createdAtMs(),
                    snapshot,
                    results,
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (SQLException e) {
            cancellation.check("bootstrap from slot " + slot.slotName()); // the cancel request ended the COPY
            throw new BootstrapException("bootstrap from " + connections.describe() + " failed: " + e.getMessage(), e);
        } catch (BootstrapCancelledException e) {
            LOG.debug("{}", e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            cancellation.check("bootstrap from slot " + slot.slotName());
            throw e;
        }
        LOG.info(
                "bootstrap of {} table(s) done: {} rows in {} ms, consistent point {}",
                results.size(),
                result.totalRows(),
                result.elapsed().toMillis(),
                result.consistentPoint());
        return result;
    }

    /**
     * A bootstrap requested while streaming already runs: creates a TEMPORARY slot with an exported
     * snapshot, reads it, and drops the slot. Filter the stream for the subscriber with
     * {@link BootstrapResult#handoverFilter()} (see {@link HandoverFilter}).
     *
     * @param labels table names to bootstrap, empty for all configured tables; never null
     * @param sink   receives every row; never null
     * @return what was delivered and the consistent point to filter the stream with
     * @throws BootstrapException as {@link #bootstrap(SnapshotSlot, Set, BootstrapSink)} and when the slot
     *                            cannot be created
     */
    public BootstrapResult bootstrapWithTemporarySlot(Set<String> labels, BootstrapSink sink) {
        try (SnapshotSlot slot = SnapshotSlot.createTemporary(connections, cancellation)) {
            return bootstrap(slot, labels, sink);
        }
    }

    private Connection open() throws SQLException {
        Connection c = connections.openConnection();
        try {
            c.setAutoCommit(true);
            Sql.applySettings(c, values.sessionSettings());
            c.setAutoCommit(false);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Imports the slot's snapshot; returns which transactions it sees (for a per-change hand-over). */
    private static TransactionSnapshot beginSnapshot(Connection c, SnapshotSlot slot) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            st.execute("SET TRANSACTION SNAPSHOT " + Sql.literal(slot.snapshotName()));
            try (java.sql.ResultSet rs = st.executeQuery("SELECT txid_current_snapshot()::text")) {
                rs.next();
                return TransactionSnapshot.parse(rs.getString(1));
            }
        } catch (SQLException e) {
            if ("22023".equals(e.getSQLState())
                    || String.valueOf(e.getMessage()).contains("snapshot")) {
                throw new BootstrapException(
                        "cannot import snapshot " + slot.snapshotName() + " of slot "
                                + slot.slotName() + ": " + e.getMessage()
                                + ". The exported snapshot exists only while the"
                                + " slot's replication connection is open and idle; keep the SnapshotSlot open and "
                                + "unused"
                                + " until the bootstrap has started",
                        e);
            }
            throw e;
        }
    }

    /** What to read from one table and how to turn a row into an Insert. */
    private record Plan(
            TableDescription table,
            List<String> columns,
            PgColumnType[] types,
            int[] keyIndexes,
            List<String> labels,
            boolean nodes,
            List<RelationPlan> relations) {}

    /** A foreign key to deliver relations for, with the indexes of its columns in the row. */
    private record RelationPlan(ForeignKey foreignKey, int[] columnIndexes) {}

    private Plan plan(Catalog catalog, TableId t, Set<String> requested) throws SQLException {
        TableDescription described = catalog.describe(t);
        TableDescription d = includeGeneratedColumns
                ? described
                : new TableDescription(
                        described.table(),
                        described.oid(),
                        described.columns().stream().filter(c -> !c.generated()).toList(),
                        described.primaryKey(),
                        described.estimatedRows(),
                        described.partitioned());
        List<String> keyColumns = keys.keyColumns(d.table(), d.primaryKey());
        List<String> names = d.columnNames();
        int[] keyIndexes = new int[keyColumns.size()];
        for (int k = 0; k < keyColumns.size(); k++) {
            int idx = names.indexOf(keyColumns.get(k));
            if (idx < 0) {
                throw new BootstrapException("key column '" + keyColumns.get(k) + "' configured for table " + d.table()
                        + " does not exist (columns: " + names + "). Fix: correct table_keys for this table");
            }
            keyIndexes[k] = idx;
        }
        PgColumnType[] types =
                d.columns().stream().map(TableDescription.Column::type).toArray(PgColumnType[]::new);
        List<RelationPlan> relations = new ArrayList<>();
        for (ForeignKey fk : relationsFor(d.table(), requested)) {
            int[] idx = new int[fk.childColumns().size()];
            for (int k = 0; k < idx.length; k++) {
                idx[k] = names.indexOf(fk.childColumns().get(k));
                if (idx[k] < 0) {
                    throw new BootstrapException("foreign-key column '"
                            + fk.childColumns().get(k) + "' of "
                            + fk.describe() + " is not read (columns: " + names + "). Fix: publish the column, or turn"
                            + " foreign_key_relations off");
                }
            }
            relations.add(new RelationPlan(fk, idx));
        }
        boolean nodes = requested.isEmpty() || requested.contains(d.table().table());
        return new Plan(d, names, types, keyIndexes, List.of(d.table().table()), nodes, List.copyOf(relations));
    }

    private BootstrapResult.TableResult readTable(
            TableReader reader, Plan plan, int index, int count, long effectiveFromMs, BootstrapSink sink)
            throws SQLException {
        TableDescription d = plan.table();
        TableId table = d.table();
        String schema = table.schema();
        String name = table.table();
        String[] columnNames = plan.columns().toArray(String[]::new);
        long start = System.nanoTime();
        long[] rows = {0};
        long[] nextReport = {start + progressIntervalNanos};
        long[] nextLog = {start + LOG_INTERVAL.toNanos()};
        progress.onProgress(new BootstrapProgress.TableProgress(
                table, BootstrapProgress.Phase.STARTED, 0, d.estimatedRows(), Duration.ZERO, index, count));
        try {
            new RowPipeline(PIPELINE_BATCH, PIPELINE_DEPTH).run(reader, d, plan.columns(), text -> {
                ElementValue[] converted = new ElementValue[columnNames.length];
                for (int i = 0; i < columnNames.length; i++) {
                    converted[i] = values.fromText(table, columnNames[i], plan.types()[i], text[i]);
                }
                Map<String, ElementValue> props = PropertyMap.of(columnNames, converted);
                List<String> key = new ArrayList<>(plan.keyIndexes().length);
                for (int k : plan.keyIndexes()) {
                    key.add(values.keyFromText(plan.types()[k], text[k]));
                }
                ElementMetadata meta =
                        new ElementMetadata(ElementId.of(schema, name, key), sourceId, plan.labels(), effectiveFromMs);
                if (cancellation.isCancelled()) {
                    throw new BootstrapCancelledException("bootstrap of " + table + " after " + rows[0] + " rows");
                }
                if (plan.nodes()) {
                    sink.accept(new SourceChange.Insert(new Node(meta, props)));
                }
                for (RelationPlan rp : plan.relations()) {
                    List<String> parentKey = new ArrayList<>(rp.columnIndexes().length);
                    for (int k : rp.columnIndexes()) {
                        if (text[k] == null) {
                            parentKey = null; // a NULL foreign-key column: no relation
                            break;
                        }
                        parentKey.add(values.keyFromText(plan.types()[k], text[k]));
                    }
                    if (parentKey != null) {
                        sink.acceptRelation(new SourceChange.RelationInsert(rp.foreignKey()
                                .relation(meta.elementId(), parentKey, props, sourceId, effectiveFromMs)));
                    }
                }
                long n = ++rows[0];
                if ((n & 1023) == 0) {
                    long now = System.nanoTime();
                    if (now >= nextReport[0]) {
                        nextReport[0] = now + progressIntervalNanos;
                        BootstrapProgress.TableProgress p = new BootstrapProgress.TableProgress(
                                table,
                                BootstrapProgress.Phase.READING,
                                n,
                                d.estimatedRows(),
                                Duration.ofNanos(now - start),
                                index,
                                count);
                        progress.onProgress(p);
                        if (now >= nextLog[0]) {
                            nextLog[0] = now + LOG_INTERVAL.toNanos();
                            LOG.info("bootstrap {}", p);
                        }
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        throw new BootstrapException("bootstrap of " + table + " interrupted after " + n + " rows");
                    }
                }
            });
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                throw Catalog.missing(table, e);
            }
            throw new BootstrapException(
                    "reading table " + table + " failed after " + rows[0] + " rows: " + e.getMessage(), e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        BootstrapProgress.TableProgress done = new BootstrapProgress.TableProgress(
                table, BootstrapProgress.Phase.FINISHED, rows[0], d.estimatedRows(), elapsed, index, count);
        progress.onProgress(done);
        LOG.info("bootstrap {}", done);
        return new BootstrapResult.TableResult(table, rows[0], elapsed);
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private final ConnectionFactory connections;
        private String sourceId;
        private final Set<TableId> tables = new LinkedHashSet<>();
        private ValueMapping values = ValueMapping.of(PgValueConverter.DEFAULT);
        private TableKeys keys = TableKeys.none();
        private ForeignKeys foreignKeys = ForeignKeys.none();
        private BootstrapProgress progress = BootstrapProgress.NONE;
        private Duration progressInterval = Duration.ofSeconds(1);
        private TableReader.Mode readMode = TableReader.Mode.COPY;
        private int fetchSize = 10_000;
        private boolean includeGeneratedColumns = true;
        private String publication;
        private BootstrapCancellation cancellation = BootstrapCancellation.NONE;

        private Builder(ConnectionFactory connections) {
            this.connections = Objects.requireNonNull(connections, "connections");
        }

        /** @param sourceId the Drasi source id put on every element, e.g. {@code pg-source}; @return this */
        public Builder sourceId(String sourceId) {
            this.sourceId = Objects.requireNonNull(sourceId, "sourceId");
            return this;
        }

        /**
         * @param tables the configured tables, in bootstrap order; unqualified names are resolved through
         *               the reading role's search_path; @return this
         */
        public Builder tables(Collection<TableId> tables) {
            this.tables.addAll(tables);
            return this;
        }

        /** @param listener progress listener (default: none); @return this */
        public Builder progress(BootstrapProgress listener) {
            this.progress = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** @param interval how often READING progress is reported (default 1 s); @return this */
        public Builder progressInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("progress interval must not be negative");
            }
            this.progressInterval = interval;
            return this;
        }

        /**
         * @param converter the value converter, configured exactly like the streaming side's (e.g. the
         *                  same numeric mode); default {@link PgValueConverter#DEFAULT}
         * @return this
         */
        public Builder converter(PgValueConverter converter) {
            this.values = ValueMapping.of(Objects.requireNonNull(converter, "converter"));
            return this;
        }

        /** @param tableKeys configured key columns (default: primary keys only); @return this */
        public Builder tableKeys(TableKeys tableKeys) {
            this.keys = Objects.requireNonNull(tableKeys, "tableKeys");
            return this;
        }

        /**
         * @param foreignKeys foreign keys whose relations to deliver after each child row (default: none, nodes only)
         * @return this
         */
        public Builder foreignKeys(ForeignKeys foreignKeys) {
            this.foreignKeys = Objects.requireNonNull(foreignKeys, "foreignKeys");
            return this;
        }

        /**
         * @param include true (default): stored generated columns are properties; false: left out
         * @return this
         */
        public Builder generatedColumns(boolean include) {
            this.includeGeneratedColumns = include;
            return this;
        }

        /**
         * @param cancellation cancels this provider's bootstraps from another thread (default: none); a
         *                     cancelled bootstrap stops reading within milliseconds and throws
         *                     {@link BootstrapCancelledException}
         * @return this
         */
        public Builder cancellation(BootstrapCancellation cancellation) {
            this.cancellation = Objects.requireNonNull(cancellation, "cancellation");
            return this;
        }

        /**
         * @param publication the publication the stream reads: rows then leave out the (non-generated) columns
         *                    it does not publish — a PostgreSQL 15+ column list — as the stream does; generated
         *                    columns follow {@link #generatedColumns(boolean)}. Default none: every column.
         * @return this
         */
        public Builder publication(String publication) {
            this.publication = Objects.requireNonNull(publication, "publication");
            return this;
        }

        /** Test seam: replaces the converter. */
        Builder valueMapping(ValueMapping values) {
            this.values = Objects.requireNonNull(values, "values");
            return this;
        }

        Builder readMode(TableReader.Mode mode, int fetchSize) {
            this.readMode = mode;
            this.fetchSize = fetchSize;
            return this;
        }

        /** @return the provider; @throws IllegalArgumentException when no table is configured */
        public BootstrapProvider build() {
            return new BootstrapProvider(this);
        }
    }
}

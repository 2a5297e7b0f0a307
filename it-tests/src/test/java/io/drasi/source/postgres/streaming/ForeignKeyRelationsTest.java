package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.WAIT;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.bootstrappedAndRunning;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.running;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.bootstrap.BootstrapResult;
import io.drasi.source.postgres.bootstrap.BootstrapSink;
import io.drasi.source.postgres.bootstrap.HandoverFilter;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code foreign_key_relations} against a real PostgreSQL: every delivered change (bootstrap and stream) is applied
 * to an in-memory graph, whose relations must equal the foreign-key pairs {@code SELECT} finds, and whose nodes the
 * rows — through FK updates, NULLs, a self-reference, composite keys, key changes and deletes, under REPLICA
 * IDENTITY DEFAULT and FULL, and across a later bootstrap's hand-over with a concurrent writer.
 */
@ExtendWith(PostgresExtension.class)
class ForeignKeyRelationsTest {

    private static final String SCHEMA = String.join(
            ";",
            "CREATE TABLE customers (id int PRIMARY KEY, name text)",
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers ON UPDATE CASCADE, note "
                    + "text)",
            "CREATE TABLE employees (id int PRIMARY KEY, manager_id int REFERENCES employees, name text)",
            "ALTER TABLE employees REPLICA IDENTITY FULL",
            "CREATE TABLE order_items (order_id int REFERENCES orders ON UPDATE CASCADE ON DELETE CASCADE,"
                    + " line int, qty int, PRIMARY KEY (order_id, line))",
            "CREATE TABLE shipments (id int PRIMARY KEY, order_id int, line int, CONSTRAINT shipments_item_fkey"
                    + " FOREIGN KEY (line, order_id) REFERENCES order_items (line, order_id) ON DELETE SET NULL)");

    /** The relations the database holds: label: child -> parent {fk columns}, as {@link DrasiState#describe}. */
    private static Map<String, String> expectedRelations(PostgresServer db) {
        Map<String, String> out = new TreeMap<>();
        for (Map<String, Object> r : db.query("SELECT id, customer_id FROM orders WHERE customer_id IS NOT NULL")) {
            out.put(
                    "public:orders:" + r.get("id") + ":orders_customer_id_fkey",
                    "PLACED_BY: public:orders:" + r.get("id") + " -> public:customers:" + r.get("customer_id") + " "
                            + props("customer_id", r));
        }
        for (Map<String, Object> r : db.query("SELECT id, manager_id FROM employees WHERE manager_id IS NOT NULL")) {
            out.put(
                    "public:employees:" + r.get("id") + ":employees_manager_id_fkey",
                    "employees_manager_id_fkey:"
                            + " public:employees:" + r.get("id") + " -> public:employees:" + r.get("manager_id") + " "
                            + props("manager_id", r));
        }
        for (Map<String, Object> r : db.query("SELECT order_id, line FROM order_items")) {
            String child = "public:order_items:" + r.get("order_id") + ":" + r.get("line");
            out.put(
                    child + ":order_items_order_id_fkey",
                    "order_items_order_id_fkey: " + child + " -> public:orders:" + r.get("order_id") + " "
                            + props("order_id", r));
        }
        for (Map<String, Object> r :
                db.query("SELECT id, order_id, line FROM shipments WHERE order_id IS NOT NULL AND line IS NOT NULL")) {
            out.put(
                    "public:shipments:" + r.get("id") + ":shipments_item_fkey",
                    "shipments_item_fkey: public:shipments:"
                            + r.get("id") + " -> public:order_items:" + r.get("order_id") + ":" + r.get("line") + " "
                            + props("line", r, "order_id"));
        }
        return out;
    }

    private static String props(String column, Map<String, Object> row, String... more) {
        Map<String, ElementValue> p = new TreeMap<>();
        p.put(column, new ElementValue.IntValue((Integer) row.get(column)));
        for (String m : more) {
            p.put(m, new ElementValue.IntValue((Integer) row.get(m)));
        }
        return p.toString();
    }

    private static final String[] TABLES = {"customers", "orders", "employees", "order_items", "shipments"};
    /** All {@link #TABLES}, {@code foreign_key_relations} on, {@code orders_customer_id_fkey} labelled PLACED_BY. */
    private static PostgresSourceBuilder relations(PostgresServer db, String slot) {
        return config(db, slot, TABLES)
                .withForeignKeyRelations(true)
                .withRelationLabels(Map.of("orders_customer_id_fkey", "PLACED_BY"));
    }

    /** A new database {@code name} with the {@link #SCHEMA} (its tables empty). */
    private static PostgresServer withSchema(PostgresServer pg, String name) {
        PostgresServer db = pg.newDatabase(name);
        db.execute(SCHEMA.split(";"));
        return db;
    }

    @Test
    void bootstrapAndStream_everyForeignKeyRule_graphEqualsSelect(PostgresServer pg) throws Exception {
        PostgresServer db = withSchema(pg, "fk_rel");
        db.execute(
                "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 5) g",
                "INSERT INTO orders VALUES (1, 1, 'a'), (2, NULL, 'b'), (3, 2, 'c')",
                "INSERT INTO employees VALUES (1, NULL, 'boss'), (2, 1, 'x'), (3, 3, 'self')",
                "INSERT INTO order_items VALUES (1, 1, 5), (1, 2, 1), (3, 1, 2)",
                "INSERT INTO shipments VALUES (1, 1, 1), (2, NULL, 2)");
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = bootstrappedAndRunning("fk", relations(db, "s_fk_rel"), sink, WAIT)) {
            DrasiState boot = DrasiState.of(sink.changes());
            assertThat(boot.relations).as("bootstrap relations vs SELECT").isEqualTo(expectedRelations(db));
            db.execute(
                    "INSERT INTO orders VALUES (4, 3, 'new'), (5, NULL, 'none')",
                    "UPDATE orders SET customer_id = 4 WHERE id = 1", // FK change (DEFAULT identity)
                    "UPDATE orders SET customer_id = NULL WHERE id = 3", // to NULL
                    "UPDATE orders SET customer_id = 5 WHERE id = 2", // from NULL
                    "UPDATE orders SET note = 'same fk' WHERE id = 4", // FK unchanged
                    "UPDATE employees SET manager_id = 2 WHERE id = 3", // self-reference, FULL identity
                    "UPDATE employees SET name = 'renamed' WHERE id = 2", // FULL, FK unchanged
                    "UPDATE employees SET manager_id = NULL WHERE id = 2",
                    "UPDATE employees SET id = 30 WHERE id = 3", // key change
                    "UPDATE orders SET id = 40 WHERE id = 4", // key change, cascades to nothing
                    "UPDATE order_items SET line = 7 WHERE order_id = 1 AND line = 2", // composite key change
                    "UPDATE shipments SET order_id = 3 WHERE id = 1", // composite FK change
                    "UPDATE shipments SET order_id = 1, line = 7 WHERE id = 2", // composite FK from partly NULL
                    "DELETE FROM order_items WHERE order_id = 3", // sets shipments 1 to NULL
                    "DELETE FROM orders WHERE id = 40",
                    "DELETE FROM employees WHERE id = 30",
                    "INSERT INTO employees VALUES (4, 4, 'self again')");
            Map<String, String> expected = expectedRelations(db);
            DrasiState state = awaitRelations(sink, expected, WAIT);
            assertThat(state.relations).as("relations vs SELECT").isEqualTo(expected);
            assertThat(state.anomalies)
                    .as("duplicate inserts / ghost node changes")
                    .isEmpty();
            for (String t : TABLES) {
                assertThat(state.elements.keySet().stream()
                                .filter(k -> k.startsWith("public:" + t + ":"))
                                .count())
                        .as("nodes of %s", t)
                        .isEqualTo(db.query("SELECT 1 FROM " + t).size());
            }
            db.execute("TRUNCATE shipments");
            expected = expectedRelations(db);
            state = awaitRelations(sink, expected, WAIT);
            assertThat(state.relations).as("relations after TRUNCATE").isEqualTo(expected);
        }
    }

    @Test
    void optionOff_nodesOnly(PostgresServer pg) throws Exception {
        PostgresServer db = withSchema(pg, "fk_off");
        db.execute("INSERT INTO customers VALUES (1, 'a')", "INSERT INTO orders VALUES (1, 1, 'x')");
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source =
                bootstrappedAndRunning("fkoff", config(db, "s_fk_off", TABLES), sink, WAIT)) {
            db.execute("INSERT INTO orders VALUES (2, 1, 'y')");
            sink.await(3, WAIT);
            assertThat(sink.changes()).noneMatch(c -> c instanceof SourceChange.RelationChange);
        }
    }

    /** Later bootstrap by a relation label while a writer moves orders between customers; hand-over by LSN. */
    @Test
    void laterBootstrapByRelationLabel_concurrentWriter_exactHandover(PostgresServer pg) throws Exception {
        PostgresServer db = withSchema(pg, "fk_later");
        db.execute(
                "INSERT INTO customers SELECT g, 'c' FROM generate_series(1, 50) g",
                "INSERT INTO orders SELECT g, 1 + g % 50, 'seed' FROM generate_series(1, 2000) g");
        CommitRecordingSink sink = new CommitRecordingSink();
        RandomWriter writer = new RandomWriter("fk-writer", 2001, (r, keys) -> {
            int id = keys.any();
            switch (r.nextInt(4)) {
                case 0 ->
                    db.execute("INSERT INTO orders VALUES (" + keys.fresh() + ", " + (1 + r.nextInt(50)) + ", 'n')");
                case 1 -> db.execute("UPDATE orders SET customer_id = " + (1 + r.nextInt(50)) + " WHERE id = " + id);
                case 2 -> db.execute("UPDATE orders SET customer_id = NULL WHERE id = " + id);
                default -> db.execute("DELETE FROM orders WHERE id = " + id);
            }
        });
        try (PostgresReplicationSource source = running("fklater", relations(db, "s_fk_later"), sink, WAIT)) {
            writer.start();
            Thread.sleep(500);
            List<SourceChange> snapshot = new ArrayList<>();
            BootstrapResult result = source.bootstrap(
                    Set.of("PLACED_BY"),
                    new BootstrapSink() {
                        @Override
                        public void accept(SourceChange.Insert insert) {
                            snapshot.add(insert);
                        }

                        @Override
                        public void acceptRelation(SourceChange.RelationInsert relation) {
                            snapshot.add(relation);
                        }
                    },
                    p -> {});
            Thread.sleep(500);
            writer.stop();
            assertThat(snapshot)
                    .as("a relation label bootstraps relations only")
                    .allMatch(c -> c instanceof SourceChange.RelationInsert)
                    .isNotEmpty();
            Map<String, String> expected = new TreeMap<>(expectedRelations(db));
            expected.keySet().removeIf(k -> !k.contains(":orders_customer_id_fkey"));
            HandoverFilter filter = result.handoverFilter();
            DrasiState state = null;
            int kept = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                state = DrasiState.of(snapshot);
                CommitRecordingSink.Handover h = sink.handover(filter);
                for (List<SourceChange> tx : h.kept()) {
                    state.apply(tx.stream()
                            .filter(c -> c instanceof SourceChange.RelationChange)
                            .toList());
                }
                kept = h.kept().size();
                if (state.relations.equals(expected)) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(kept).as("transactions after the snapshot").isPositive();
            assertThat(state.relations)
                    .as("relations after the hand-over vs SELECT")
                    .isEqualTo(expected);
        }
    }

    private static DrasiState awaitRelations(RecordingSink sink, Map<String, String> expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        DrasiState state;
        do {
            state = DrasiState.of(sink.changes());
            if (state.relations.equals(expected)) {
                break;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return state;
    }
}

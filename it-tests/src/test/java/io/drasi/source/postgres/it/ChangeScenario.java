package io.drasi.source.postgres.it;

import io.drasi.source.postgres.testing.PostgresServer;
import java.util.ArrayList;
import java.util.List;

/**
 * The change scenario the two deployments of the SMT run on a real database, the same SQL and the same expected
 * Drasi changes for both: Debezium Server with the HTTP sink ({@code DebeziumServerTest}) and a Kafka Connect worker
 * ({@code KafkaConnectWorkerTest}). Three tables: a plain one ({@code users}), one whose name and key need escaping in
 * element ids ({@code "Odd:Table"}) and README's {@code sales.orders} without a primary key, keyed by
 * {@link #KEY_COLUMNS} under REPLICA IDENTITY FULL; one snapshot row each. Then, in several transactions, inserts,
 * updates, deletes and key changes while the deployment runs, and more changes while it is down.
 *
 * <p>Each test gives the {@link Format} it receives changes in. Thread-safety: stateless. Nullability: nothing is
 * null.
 */
public final class ChangeScenario {

    /** The captured tables, as Debezium's {@code table.include.list}. */
    public static final String TABLES = "public.users,sales.orders,public.Odd:Table";

    /** Key columns of the table without a primary key: Debezium's {@code message.key.columns}, the SMT's keys. */
    public static final String KEY_COLUMNS = "sales.orders:order_id,line_no";

    /**
     * How a deployment shows a change to Drasi; each test gives its own wire format.
     *
     * @param <T> one expected record or event
     */
    public interface Format<T> {
        /**
         * @param id         the element id, e.g. {@code public:users:1}
         * @param label      the element's label (its table's name)
         * @param properties the element's properties as a JSON object
         * @return the insert
         */
        T insert(String id, String label, String properties);

        /**
         * @param id         the element id
         * @param label      the element's label
         * @param properties the element's properties (all columns) as a JSON object
         * @return the update
         */
        T update(String id, String label, String properties);

        /**
         * @param id    the element id
         * @param label the element's label
         * @return the delete
         */
        T delete(String id, String label);
    }

    private ChangeScenario() {}

    /**
     * Creates the three tables in {@code db}, one row each: what the snapshot reads ({@link #snapshot(Format)}).
     *
     * @param db a fresh database
     */
    public static void createTables(PostgresServer db) {
        db.execute("""
                CREATE TABLE users (id int PRIMARY KEY, name text, score numeric(6,2));
                CREATE TABLE "Odd:Table" ("k%" text PRIMARY KEY, "n:1" int, note text);
                -- README's sales.orders: no primary key, keyed by message.key.columns / table.keys
                CREATE SCHEMA sales;
                CREATE TABLE sales.orders (order_id int NOT NULL, line_no int NOT NULL, qty int);
                ALTER TABLE sales.orders REPLICA IDENTITY FULL;
                INSERT INTO users VALUES (1, 'Alice', 9.5);
                INSERT INTO "Odd:Table" VALUES ('a:b', 1, 'x');
                INSERT INTO sales.orders VALUES (7, 1, 2);
                """);
    }

    /**
     * @param f the deployment's format
     * @return the snapshot of {@link #createTables}: one insert per row, in no particular order
     */
    public static <T> List<T> snapshot(Format<T> f) {
        return List.of(
                f.insert("public:users:1", "users", "{\"id\":1,\"name\":\"Alice\",\"score\":9.5}"),
                f.insert("public:Odd%3ATable:a%3Ab", "Odd:Table", "{\"k%\":\"a:b\",\"n:1\":1,\"note\":\"x\"}"),
                f.insert("sales:orders:7:1", "orders", "{\"order_id\":7,\"line_no\":1,\"qty\":2}"));
    }

    /**
     * Writes, in several transactions (one a call), inserts, updates, deletes, a primary key change and a
     * {@link #KEY_COLUMNS} change; the first transaction holds two changes.
     *
     * @param db the database of {@link #createTables}
     * @param f  the deployment's format
     * @return the changes Drasi receives for them, in commit order
     */
    public static <T> List<T> writeWhileRunning(PostgresServer db, Format<T> f) {
        db.execute("""
                INSERT INTO users VALUES (2, 'Bob', NULL);
                UPDATE users SET name = 'Alicia', score = 10.25 WHERE id = 1;
                """);
        db.execute("""
                INSERT INTO "Odd:Table" VALUES ('100%', 2, 'ü');
                UPDATE "Odd:Table" SET note = 'y' WHERE "k%" = 'a:b';
                DELETE FROM users WHERE id = 2;
                """);
        db.execute("UPDATE users SET id = 3 WHERE id = 1"); // primary key change: Delete + Insert
        // message.key.columns change under REPLICA IDENTITY FULL: Delete + Insert as well
        db.execute("UPDATE sales.orders SET line_no = 2 WHERE order_id = 7 AND line_no = 1");
        db.execute("INSERT INTO users SELECT g, 'u' || g, g + 0.5 FROM generate_series(10, 14) g");
        db.execute("""
                UPDATE sales.orders SET qty = 5 WHERE order_id = 7 AND line_no = 2;
                DELETE FROM "Odd:Table" WHERE "k%" = 'a:b';
                """);
        List<T> changes = new ArrayList<>(List.of(
                f.insert("public:users:2", "users", "{\"id\":2,\"name\":\"Bob\",\"score\":null}"),
                f.update("public:users:1", "users", "{\"id\":1,\"name\":\"Alicia\",\"score\":10.25}"),
                f.insert("public:Odd%3ATable:100%25", "Odd:Table", "{\"k%\":\"100%\",\"n:1\":2,\"note\":\"ü\"}"),
                f.update("public:Odd%3ATable:a%3Ab", "Odd:Table", "{\"k%\":\"a:b\",\"n:1\":1,\"note\":\"y\"}"),
                f.delete("public:users:2", "users"),
                f.delete("public:users:1", "users"),
                f.insert("public:users:3", "users", "{\"id\":3,\"name\":\"Alicia\",\"score\":10.25}"),
                f.delete("sales:orders:7:1", "orders"),
                f.insert("sales:orders:7:2", "orders", "{\"order_id\":7,\"line_no\":2,\"qty\":2}")));
        for (int g = 10; g <= 14; g++) {
            changes.add(f.insert(
                    "public:users:" + g, "users", "{\"id\":" + g + ",\"name\":\"u" + g + "\",\"score\":" + g + ".5}"));
        }
        changes.add(f.update("sales:orders:7:2", "orders", "{\"order_id\":7,\"line_no\":2,\"qty\":5}"));
        changes.add(f.delete("public:Odd%3ATable:a%3Ab", "Odd:Table"));
        return changes;
    }

    /**
     * Writes two transactions, meant for while the deployment is stopped, after {@link #writeWhileRunning}.
     *
     * @param db the database of {@link #createTables}
     * @param f  the deployment's format
     * @return the changes Drasi receives for them, in commit order
     */
    public static <T> List<T> writeWhileDown(PostgresServer db, Format<T> f) {
        db.execute("""
                INSERT INTO users VALUES (20, 'while down', 1.5);
                UPDATE users SET name = 'Alice again' WHERE id = 3;
                """);
        db.execute("""
                DELETE FROM sales.orders WHERE order_id = 7;
                INSERT INTO sales.orders VALUES (8, 1, 1);
                """);
        return List.of(
                f.insert("public:users:20", "users", "{\"id\":20,\"name\":\"while down\",\"score\":1.5}"),
                f.update("public:users:3", "users", "{\"id\":3,\"name\":\"Alice again\",\"score\":10.25}"),
                f.delete("sales:orders:7:2", "orders"),
                f.insert("sales:orders:8:1", "orders", "{\"order_id\":8,\"line_no\":1,\"qty\":1}"));
    }
}

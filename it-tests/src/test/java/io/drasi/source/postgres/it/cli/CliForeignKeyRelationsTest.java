package io.drasi.source.postgres.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, "Done when": {@code drasi-pg stream --bootstrap} with {@code foreignKeyRelations: true} prints a graph
 * whose relations equal the foreign-key pairs in the database, after the bootstrap and after streamed inserts,
 * foreign-key updates (to another parent, to NULL and back), a self-reference and deletes.
 */
@ExtendWith(PostgresExtension.class)
class CliForeignKeyRelationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void streamWithBootstrap_foreignKeyRelations_relationsEqualForeignKeyPairs(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("cli_fk");
        db.execute("CREATE TABLE customers (id int PRIMARY KEY, name text)");
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers, total int)");
        db.execute("CREATE TABLE employees (id int PRIMARY KEY, manager_id int REFERENCES employees)");
        db.execute("INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 3) g");
        db.execute("INSERT INTO orders SELECT g, 1 + g % 3, g * 10 FROM generate_series(1, 6) g");
        db.execute("INSERT INTO employees VALUES (1, NULL), (2, 1), (3, 2)");
        Path config = CliProcess.sourceYaml(
                tmp,
                db,
                "cli-fk",
                "s_cli_fk",
                List.of("customers", "orders", "employees"),
                "foreignKeyRelations: true");
        CliProcess p = CliProcess.stream(tmp, config, "memory", "--bootstrap");
        try {
            p.awaitStderr("streaming", WAIT);
            assertThat(graph(p.lines()).relations).as("after the bootstrap").isEqualTo(expected(db));

            db.execute("INSERT INTO customers VALUES (4, 'c4')");
            db.execute("INSERT INTO orders VALUES (7, 4, 70), (8, NULL, 80)");
            db.execute("UPDATE orders SET customer_id = 4 WHERE id = 1");
            db.execute("UPDATE orders SET customer_id = NULL WHERE id = 2");
            db.execute("UPDATE orders SET customer_id = 2 WHERE id = 8");
            db.execute("UPDATE orders SET total = total + 1 WHERE id = 3");
            db.execute("DELETE FROM orders WHERE id = 4");
            db.execute("UPDATE employees SET manager_id = 3 WHERE id = 1");
            db.execute("INSERT INTO employees VALUES (4, 4)");
            Map<String, String> want = expected(db);
            long deadline = System.nanoTime() + WAIT.toNanos();
            Graph g = graph(p.lines());
            while (!g.relations.equals(want) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                g = graph(p.lines());
            }
            assertThat(g.relations)
                    .as("after the streamed changes\nstderr:\n%s", p.stderr())
                    .isEqualTo(want);
            assertThat(g.nodes).as("nodes").hasSize(4 + 7 + 4);
        } finally {
            p.stop();
        }
    }

    /** Relation id → {@code in_node -> out_node}, from the foreign keys as SELECT sees them. */
    private static Map<String, String> expected(PostgresServer db) {
        Map<String, String> out = new TreeMap<>();
        for (Map<String, Object> r : db.query("SELECT id, customer_id FROM orders WHERE customer_id IS NOT NULL")) {
            out.put(
                    "public:orders:" + r.get("id") + ":orders_customer_id_fkey",
                    "public:orders:" + r.get("id") + " -> public:customers:" + r.get("customer_id"));
        }
        for (Map<String, Object> r : db.query("SELECT id, manager_id FROM employees WHERE manager_id IS NOT NULL")) {
            out.put(
                    "public:employees:" + r.get("id") + ":employees_manager_id_fkey",
                    "public:employees:" + r.get("id") + " -> public:employees:" + r.get("manager_id"));
        }
        return out;
    }

    private record Graph(Set<String> nodes, Map<String, String> relations) {}

    /** Applies every printed seed change in order. */
    private static Graph graph(List<String> lines) throws Exception {
        Set<String> nodes = new HashSet<>();
        Map<String, String> relations = new HashMap<>();
        for (String line : lines) {
            JsonNode c = JSON.readTree(line);
            JsonNode e = c.path("element");
            String id = e.path("metadata").path("element_id").asText();
            switch (c.path("type").asText()) {
                case "Insert", "Update" -> {
                    if (e.has("in_node")) {
                        relations.put(
                                id,
                                e.path("in_node").path("element_id").asText() + " -> "
                                        + e.path("out_node").path("element_id").asText());
                    } else {
                        nodes.add(id);
                    }
                }
                case "Delete" -> { // seed: {"type":"Delete","metadata":{...}}, for nodes and relations alike
                    String deleted = c.path("metadata").path("element_id").asText();
                    nodes.remove(deleted);
                    relations.remove(deleted);
                }
                default -> throw new AssertionError("unexpected change: " + line);
            }
        }
        return new Graph(nodes, new TreeMap<>(relations));
    }
}

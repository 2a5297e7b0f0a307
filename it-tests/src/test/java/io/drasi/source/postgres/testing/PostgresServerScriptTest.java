package io.drasi.source.postgres.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Set-up scripts: several statements in one string, as the tests write their tables and first rows. */
@ExtendWith(PostgresExtension.class)
class PostgresServerScriptTest {

    @Test
    void newDatabase_script_statementsRunInOrder_semicolonsInLiteralsAndBodiesKept(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("script", """
                CREATE TABLE t (id int PRIMARY KEY, note text);
                -- a comment; with a semicolon
                INSERT INTO t VALUES (1, 'a;b');
                CREATE FUNCTION twice(i int) RETURNS int LANGUAGE plpgsql AS $$
                BEGIN
                    RETURN i * 2;
                END;
                $$;
                INSERT INTO t VALUES (twice(1), 'it''s; quoted')
                """);
        assertThat(db.query("SELECT id, note FROM t ORDER BY id"))
                .containsExactly(Map.of("id", 1, "note", "a;b"), Map.of("id", 2, "note", "it's; quoted"));
    }

    @Test
    void execute_oneTransactionPerString(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("script_tx", "CREATE TABLE t (id int PRIMARY KEY)");
        db.execute("""
                INSERT INTO t VALUES (1);
                INSERT INTO t VALUES (2);
                """, "INSERT INTO t VALUES (3)");
        assertThat(db.query("SELECT xmin::text AS tx FROM t ORDER BY id"))
                .extracting(r -> r.get("tx"))
                .satisfies(tx -> assertThat(tx.get(1)).as("one string").isEqualTo(tx.get(0)))
                .satisfies(tx -> assertThat(tx.get(2)).as("the next string").isNotEqualTo(tx.get(1)));
    }

    @Test
    void execute_scriptWithFailingStatement_noneApplied(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("script_fail", "CREATE TABLE t (id int PRIMARY KEY)");
        assertThatThrownBy(() -> db.execute("""
                        INSERT INTO t VALUES (1);
                        INSERT INTO t VALUES (1);
                        """))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("duplicate key");
        assertThat(db.query("SELECT id FROM t")).as("one transaction").isEqualTo(List.of());
    }
}

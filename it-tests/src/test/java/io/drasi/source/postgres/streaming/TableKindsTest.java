package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.SourceDiagnostics;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Unlogged tables are refused up front; an inheritance parent is captured alone, in bootstrap and stream. */
@Tag("pg-matrix")
@ExtendWith(PostgresExtension.class)
class TableKindsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void start_unloggedTable_refusedNamingSetLogged(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("unlogged");
        db.execute("CREATE UNLOGGED TABLE u (id int PRIMARY KEY, v text)", "CREATE TABLE ok (id int PRIMARY KEY)");
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_unlogged", "ok", "u").build())) {
            assertThatThrownBy(() -> source.start(new RecordingSink()))
                    .isInstanceOf(PreflightException.class)
                    .hasMessageContaining("\"public\".\"u\" is UNLOGGED")
                    .hasMessageContaining("ALTER TABLE \"public\".\"u\" SET LOGGED;");
        }
    }

    @Test
    void check_unloggedPartition_reportedWithFix(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("unlogged_part");
        db.execute(
                "CREATE TABLE m (id int PRIMARY KEY) PARTITION BY RANGE (id)",
                "CREATE UNLOGGED TABLE m_1 PARTITION OF m FOR VALUES FROM (0) TO (10)");
        List<SourceDiagnostics.Check> checks =
                SourceDiagnostics.run(config(db, "s_unlogged_part", "m").build());
        assertThat(checks)
                .filteredOn(c -> !c.ok())
                .extracting(SourceDiagnostics.Check::problem)
                .anySatisfy(p -> assertThat(p).contains("m_1 is UNLOGGED").contains("SET LOGGED"));
    }

    @Test
    void startWithBootstrap_inheritanceParent_onlyParentRowsInBootstrapAndStream(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("inherit", """
                CREATE TABLE par (id int PRIMARY KEY, note text);
                CREATE TABLE chi (extra text) INHERITS (par);
                INSERT INTO par VALUES (1, 'parent');
                INSERT INTO chi VALUES (2, 'child', 'x');
                """);
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_inherit", "par").build())) {
            source.startWithBootstrap(sink, p -> {});
            assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
            db.execute(
                    "INSERT INTO chi VALUES (3, 'child', 'y')",
                    "UPDATE par SET note = 'all'",
                    "INSERT INTO par VALUES (4, 'parent')",
                    "DELETE FROM chi WHERE id = 2");
            db.execute("UPDATE ONLY par SET note = 'last' WHERE id = 4");
            // bootstrap 1; stream: update 1, insert 4, update 4 — nothing of chi
            List<SourceChange> changes = sink.await(4, WAIT);
            sink.assertNoMoreThan(4, Duration.ofSeconds(1));
            assertThat(changes).extracting(StreamingTestSupport::id).allMatch(i -> i.startsWith("public:par:"));
            DrasiState state = new DrasiState();
            state.apply(changes);
            assertThat(state.anomalies).isEmpty();
            assertThat(state.elements)
                    .isEqualTo(DrasiState.expectedFromSelect(db, "SELECT * FROM ONLY par", "par", "id"));
            assertThat(db.queryValue("SELECT string_agg(tablename, ',') FROM pg_publication_tables"
                            + " WHERE pubname = 's_inherit_pub'"))
                    .isEqualTo("par");
        }
    }

    @Test
    void check_inheritanceParent_reportsChildrenAreNotCaptured(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("inherit_check");
        db.execute("CREATE TABLE par (id int PRIMARY KEY)", "CREATE TABLE chi () INHERITS (par)");
        List<SourceDiagnostics.Check> checks =
                SourceDiagnostics.run(config(db, "s_inherit_check", "par").build());
        assertThat(checks)
                .filteredOn(c -> c.name().startsWith("inheritance of"))
                .singleElement()
                .satisfies(c -> assertThat(c.detail()).contains("chi").contains("only its own rows"));
    }
}

package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bootstrapped row carries exactly the columns the stream carries for the same table: publication column
 * lists (PostgreSQL 15+) and PostgreSQL 18's virtual generated columns (stored ones: {@link GeneratedColumnsTest}).
 */
// pg-matrix: `./mvnw verify` also runs these against PostgreSQL 18 (it-tests/pom.xml, execution pg-matrix)
@Tag("pg-matrix")
@ExtendWith(PostgresExtension.class)
class PublishedColumnsTest {

    private record Rows(Map<String, ElementValue> streamed, Map<String, ElementValue> bootstrapped) {}

    @Test
    void virtualGeneratedColumn_pg18_neitherStreamNorBootstrapCarriesIt(PostgresServer pg) throws Exception {
        assumeTrue(
                pg.majorVersion() >= 18,
                "virtual generated columns are new in PostgreSQL 18 (the pg-matrix run covers them)");
        PostgresServer db = pg.newDatabase("genv");
        db.execute("CREATE TABLE g (id int PRIMARY KEY, a int, doubled int GENERATED ALWAYS AS (a * 2) STORED,"
                + " tripled int GENERATED ALWAYS AS (a * 3) VIRTUAL)");
        Rows rows = streamThenBootstrap(db, "s_genv");
        // pgoutput never publishes virtual columns (the bootstrap had read them: a property only bootstrapped rows had)
        assertThat(rows.streamed())
                .containsOnlyKeys("id", "a", "doubled")
                .containsEntry("doubled", ElementValue.of(14));
        assertThat(rows.bootstrapped()).isEqualTo(rows.streamed());
    }

    @Test
    void columnList_leavesColumnsOut_bootstrapLeavesThemOutToo(PostgresServer pg) throws Exception {
        assumeTrue(pg.majorVersion() >= 15, "publication column lists are new in PostgreSQL 15");
        PostgresServer db = pg.newDatabase("collist");
        db.execute(
                "CREATE TABLE g (id int PRIMARY KEY, a int, secret text)",
                "CREATE PUBLICATION s_collist_pub FOR TABLE g (id, a)");
        Rows rows = streamThenBootstrap(db, "s_collist");
        assertThat(rows.streamed()).containsOnlyKeys("id", "a");
        assertThat(rows.bootstrapped()).isEqualTo(rows.streamed());
    }

    private static Rows streamThenBootstrap(PostgresServer db, String slot) throws Exception {
        RecordingSink sink = new RecordingSink();
        Map<String, ElementValue> bootstrapped = new LinkedHashMap<>();
        Map<String, ElementValue> streamed;
        try (PostgresReplicationSource source =
                new PostgresReplicationSource("src", config(db, slot, "g").build())) {
            source.start(sink);
            db.execute("INSERT INTO g (id, a) VALUES (1, 7)");
            SourceChange change = sink.await(1, Duration.ofSeconds(30)).get(0);
            streamed = StreamingTestSupport.node(change).properties();
            source.bootstrap(
                    Set.of(), insert -> bootstrapped.putAll(insert.element().properties()), p -> {});
        }
        return new Rows(streamed, bootstrapped);
    }
}

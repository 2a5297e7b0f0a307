package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.mapping.model.ElementValue;
import io.drasi.source.postgres.mapping.model.SourceChange;
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
 * A bootstrapped row carries exactly the columns the stream carries for the same table: generated columns
 * (PostgreSQL 18 can publish stored ones and has virtual ones) and publication column lists (15+).
 */
// pg-matrix: `./mvnw verify` also runs these against PostgreSQL 18 (it-tests/pom.xml, execution pg-matrix)
@Tag("pg-matrix")
@ExtendWith(PostgresExtension.class)
class PublishedColumnsTest {

    private record Rows(Map<String, ElementValue> streamed, Map<String, ElementValue> bootstrapped) {
    }

    @Test
    void generatedColumns_publicationCreatedBySource_neitherStreamNorBootstrapCarriesThem(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("gen");
        db.execute("CREATE TABLE g (id int PRIMARY KEY, a int, doubled int GENERATED ALWAYS AS (a * 2) STORED"
                + (pg.majorVersion() >= 18 ? ", tripled int GENERATED ALWAYS AS (a * 3) VIRTUAL" : "") + ")");
        Rows rows = streamThenBootstrap(db, "s_gen");
        assertThat(rows.streamed()).containsOnlyKeys("id", "a");
        assertThat(rows.bootstrapped()).isEqualTo(rows.streamed());
    }

    @Test
    void storedGeneratedColumn_publishGeneratedColumnsStored_streamAndBootstrapBothCarryIt(PostgresServer pg) throws Exception {
        assumeTrue(pg.majorVersion() >= 18, "publish_generated_columns is new in PostgreSQL 18 (the pg-matrix run covers it)");
        PostgresServer db = pg.newDatabase("gen18");
        db.execute("CREATE TABLE g (id int PRIMARY KEY, a int, doubled int GENERATED ALWAYS AS (a * 2) STORED,"
                        + " tripled int GENERATED ALWAYS AS (a * 3) VIRTUAL)",
                "CREATE PUBLICATION s_gen18_pub FOR TABLE g WITH (publish_generated_columns = stored)");
        Rows rows = streamThenBootstrap(db, "s_gen18");
        assertThat(rows.streamed()).containsOnlyKeys("id", "a", "doubled").containsEntry("doubled", ElementValue.of(14));
        assertThat(rows.bootstrapped()).isEqualTo(rows.streamed());
    }

    @Test
    void columnList_leavesColumnsOut_bootstrapLeavesThemOutToo(PostgresServer pg) throws Exception {
        assumeTrue(pg.majorVersion() >= 15, "publication column lists are new in PostgreSQL 15");
        PostgresServer db = pg.newDatabase("collist");
        db.execute("CREATE TABLE g (id int PRIMARY KEY, a int, secret text)",
                "CREATE PUBLICATION s_collist_pub FOR TABLE g (id, a)");
        Rows rows = streamThenBootstrap(db, "s_collist");
        assertThat(rows.streamed()).containsOnlyKeys("id", "a");
        assertThat(rows.bootstrapped()).isEqualTo(rows.streamed());
    }

    private static Rows streamThenBootstrap(PostgresServer db, String slot) throws Exception {
        RecordingSink sink = new RecordingSink();
        Map<String, ElementValue> bootstrapped = new LinkedHashMap<>();
        Map<String, ElementValue> streamed;
        try (PostgresReplicationSource source = new PostgresReplicationSource("src", config(db, slot, "g").build())) {
            source.start(sink);
            db.execute("INSERT INTO g (id, a) VALUES (1, 7)");
            SourceChange change = sink.await(1, Duration.ofSeconds(30)).get(0);
            streamed = StreamingTestSupport.node(change).properties();
            source.bootstrap(Set.of(), insert -> bootstrapped.putAll(insert.element().properties()), p -> { });
        }
        return new Rows(streamed, bootstrapped);
    }
}

package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.prop;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(PostgresExtension.class)
class StreamingToastTest {

    /** An UPDATE of another column leaves a > 8 kB TOASTed value unchanged: the property must survive. */
    @ParameterizedTest
    @ValueSource(strings = {"DEFAULT", "FULL"})
    void update_unchangedToastColumn_keepsTheProperty(String identity, PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("stream_toast_" + identity.toLowerCase());
        db.execute(
                "CREATE TABLE docs (id int PRIMARY KEY, title text, body text, tags text[])",
                "ALTER TABLE docs REPLICA IDENTITY " + identity);
        String slot = "s_toast_" + identity.toLowerCase();
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source =
                new PostgresReplicationSource("src", config(db, slot, "docs").build())) {
            source.start(sink);
            // incompressible, well above the 2 kB TOAST threshold and 8 kB page size
            db.execute("INSERT INTO docs SELECT 1, 'v1', string_agg(md5(g::text), ''), ARRAY['a','b']"
                    + " FROM generate_series(1, 600) g");
            db.execute("UPDATE docs SET title = 'v2' WHERE id = 1");
            List<SourceChange> changes = sink.await(2, Duration.ofSeconds(30));
            String body = db.queryValue("SELECT body FROM docs WHERE id = 1");
            assertThat(body).hasSizeGreaterThan(8000);
            assertThat(changes.get(1)).isInstanceOf(SourceChange.Update.class);
            assertThat(prop(changes.get(1), "title")).isEqualTo(new ElementValue.StringValue("v2"));
            assertThat(prop(changes.get(1), "body")).isEqualTo(new ElementValue.StringValue(body));
            assertThat(StreamingTestSupport.node(changes.get(1)).properties().values())
                    .noneMatch(v -> v.toString().contains("__debezium_unavailable_value"));
        }
    }
}

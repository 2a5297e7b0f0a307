package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.prop;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class StreamingValuesTest {

    @Test
    void insert_numericSpecialValuesAndShortOffsets_streamWithoutFailing(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("stream_values");
        db.execute(
                "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                "CREATE TABLE v (id int PRIMARY KEY, n numeric, f float8, ts timestamptz, d posint, b boolean)");
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = started("src", config(db, "s_values", "v"), sink)) {
            db.execute(
                    "INSERT INTO v VALUES (1, 12.50, 1.5, '2024-01-01 10:00:00+00', 7, true)",
                    "INSERT INTO v VALUES (2, 'NaN', 'Infinity', '2024-01-01 15:30:00+05:30', 1, false)",
                    "INSERT INTO v VALUES (3, NULL, '-Infinity', NULL, NULL, NULL)");
            List<SourceChange> c = sink.await(3, Duration.ofSeconds(30));
            assertThat(source.state()).isEqualTo(State.RUNNING);
            assertThat(prop(c.get(0), "n")).isEqualTo(new ElementValue.FloatValue(12.5));
            assertThat(prop(c.get(0), "ts")).isEqualTo(new ElementValue.StringValue("2024-01-01T10:00:00Z"));
            assertThat(prop(c.get(1), "ts")).isEqualTo(new ElementValue.StringValue("2024-01-01T10:00:00Z"));
            assertThat(prop(c.get(0), "d")).isEqualTo(new ElementValue.IntValue(7));
            assertThat(prop(c.get(0), "b")).isEqualTo(ElementValue.TRUE);
            assertThat(prop(c.get(1), "n")).isEqualTo(new ElementValue.StringValue("NaN"));
            assertThat(prop(c.get(1), "f")).isEqualTo(new ElementValue.StringValue("Infinity"));
            assertThat(prop(c.get(2), "f")).isEqualTo(new ElementValue.StringValue("-Infinity"));
            assertThat(prop(c.get(2), "n")).isEqualTo(ElementValue.NULL);
            assertThat(StreamingTestSupport.node(c.get(2)).properties()).containsKey("ts");
        }
    }
}

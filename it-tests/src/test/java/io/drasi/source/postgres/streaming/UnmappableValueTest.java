package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.WAIT;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.mapping.json.ElementValueJson;
import io.drasi.source.postgres.mapping.value.UnmappableValueException;
import io.drasi.source.postgres.mapping.value.UnmappableValues;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A value the value table cannot convert — here a {@code jsonb} document nested deeper than
 * {@link ElementValueJson#MAX_NESTING_DEPTH}, legal in PostgreSQL — never kills the stream with an Error, loops or
 * drops a property silently: by default the source goes FAILED naming {@code schema.table.column}, the type and the
 * LSN, without advancing past the change; {@code unmappable_values: text} then resumes exactly there and delivers
 * PostgreSQL's text form, warning once and counting it.
 */
@ExtendWith(PostgresExtension.class)
class UnmappableValueTest {

    private static final String DEEP = "repeat('[', " + (ElementValueJson.MAX_NESTING_DEPTH + 1) + ") || repeat(']', "
            + (ElementValueJson.MAX_NESTING_DEPTH + 1) + ")";

    @Test
    void stream_unmappableValue_failsNamingColumnAndLsn_textModeResumesAtThatChange(
            PostgresServer pg, @TempDir Path dir) throws Exception {
        PostgresServer db =
                pg.newDatabase("unmappable", "CREATE TABLE docs (id int PRIMARY KEY, doc jsonb, note text)");
        Path offsets = dir.resolve("offsets");
        RecordingSink first = new RecordingSink();
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src",
                config(db, "s_unmappable", "docs")
                        .withOffsetStore(offsets.toString())
                        .build())) {
            source.start(first);
            assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
            db.execute("INSERT INTO docs VALUES (1, '{\"ok\": 1}', 'a')");
            first.await(1, WAIT);
            db.execute(
                    "INSERT INTO docs VALUES (2, (" + DEEP + ")::jsonb, 'b')",
                    "INSERT INTO docs VALUES (3, '{}', 'c')");
            assertThat(source.awaitState(State.FAILED, WAIT)).isTrue();
            Throwable failure = source.failure().orElseThrow();
            UnmappableValueException u = unmappable(failure);
            assertThat(u.table().toString()).isEqualTo("public.docs");
            assertThat(u.column()).isEqualTo("doc");
            assertThat(u.pgType()).isEqualToIgnoringCase("jsonb");
            assertThat(u.lsn()).isPresent();
            assertThat(failure)
                    .hasMessageContaining("docs")
                    .hasMessageContaining("doc")
                    .hasMessageContaining("unmappable_values: text");
            assertThat(first.changes()).extracting(StreamingTestSupport::id).containsExactly("public:docs:1");
        }
        assertThat(Files.exists(offsets)).isTrue();

        // the position was kept: text mode resumes at the failed change and delivers it, then the next one
        RecordingSink second = new RecordingSink();
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src",
                config(db, "s_unmappable", "docs")
                        .withOffsetStore(offsets.toString())
                        .withUnmappableValues(UnmappableValues.TEXT)
                        .build())) {
            source.start(second);
            List<SourceChange> got = second.await(2, WAIT);
            assertThat(got).extracting(StreamingTestSupport::id).containsExactly("public:docs:2", "public:docs:3");
            String text = db.queryValue("SELECT doc::text FROM docs WHERE id = 2");
            assertThat(StreamingTestSupport.prop(got.get(0), "doc")).isEqualTo(new ElementValue.StringValue(text));
            assertThat(StreamingTestSupport.prop(got.get(0), "note")).isEqualTo(new ElementValue.StringValue("b"));
            assertThat(source.stats().unmappableValues()).isEqualTo(1);
            assertThat(source.state()).isEqualTo(State.RUNNING);
        }
    }

    @Test
    void bootstrap_unmappableValue_failNamesColumn_textDeliversTextForm(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("unmappable_bs");
        db.execute(
                "CREATE TABLE docs (id int PRIMARY KEY, doc json)",
                "INSERT INTO docs VALUES (1, '[1]'), (2, (" + DEEP + ")::json)");
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src", config(db, "s_unmappable_bs", "docs").build())) {
            assertThatThrownBy(() -> source.bootstrap(Set.of(), insert -> {}, p -> {}))
                    .satisfies(e -> assertThat(unmappable(e).column()).isEqualTo("doc"))
                    .hasMessageContaining("docs")
                    .hasMessageContaining("json");
        }
        List<SourceChange.Insert> rows = new ArrayList<>();
        try (PostgresReplicationSource source = new PostgresReplicationSource(
                "src",
                config(db, "s_unmappable_bs", "docs")
                        .withUnmappableValues(UnmappableValues.TEXT)
                        .build())) {
            source.bootstrap(Set.of(), rows::add, p -> {});
            assertThat(source.stats().unmappableValues()).isEqualTo(1);
        }
        assertThat(rows).hasSize(2);
        SourceChange.Insert deep = rows.stream()
                .filter(r -> r.element().metadata().elementId().value().equals("public:docs:2"))
                .findFirst()
                .orElseThrow();
        assertThat(deep.element().properties().get("doc"))
                .isEqualTo(new ElementValue.StringValue(db.queryValue("SELECT doc::text FROM docs WHERE id = 2")));
    }

    private static UnmappableValueException unmappable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UnmappableValueException u) {
                return u;
            }
        }
        throw new AssertionError("no UnmappableValueException in the cause chain of " + t, t);
    }
}

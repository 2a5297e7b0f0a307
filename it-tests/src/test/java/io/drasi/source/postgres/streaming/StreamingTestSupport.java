package io.drasi.source.postgres.streaming;

import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;

/** Shared set-up for streaming tests. */
final class StreamingTestSupport {

    private StreamingTestSupport() {
    }

    /** A builder pointing at the test database with fast settings and in-memory offsets. */
    static PostgresSourceBuilder config(PostgresServer db, String slot, String... tables) {
        return PostgresSourceConfig.builder()
                .withHost(db.host())
                .withPort(db.port())
                .withDatabase(db.database())
                .withUser(db.user())
                .withPassword(db.password())
                .withTables(tables)
                .withSlotName(slot)
                .withPublicationName(slot + "_pub")
                .withInMemoryOffsets()
                .withReconnectBackoffInitial(Duration.ofMillis(200))
                .withReconnectBackoffMax(Duration.ofSeconds(2));
    }

    static String id(SourceChange c) {
        if (c instanceof SourceChange.Insert i) {
            return i.element().metadata().elementId().value();
        } else if (c instanceof SourceChange.Update u) {
            return u.element().metadata().elementId().value();
        } else if (c instanceof SourceChange.Delete d) {
            return d.metadata().elementId().value();
        }
        return ((SourceChange.Truncate) c).elementIdPrefix();
    }

    static String kind(SourceChange c) {
        return c.getClass().getSimpleName();
    }

    static Node node(SourceChange c) {
        if (c instanceof SourceChange.Insert i) {
            return i.element();
        } else if (c instanceof SourceChange.Update u) {
            return u.element();
        }
        throw new AssertionError("no element in " + c);
    }

    static ElementValue prop(SourceChange c, String name) {
        return node(c).properties().get(name);
    }
}

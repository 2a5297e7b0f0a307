package io.drasi.source.postgres.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceBuilder;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Shared set-up of the tests that run a {@link PostgresReplicationSource} (streaming, lifecycle, security). */
public final class StreamingTestSupport {

    /** How long a test waits for what the source does next (a change, a state); tests that need longer say so. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    private StreamingTestSupport() {}

    /** A builder pointing at the test database (host, port, database, user, password); nothing else set. */
    public static PostgresSourceBuilder connection(PostgresServer db) {
        return PostgresSourceConfig.builder()
                .withHost(db.host())
                .withPort(db.port())
                .withDatabase(db.database())
                .withUser(db.user())
                .withPassword(db.password());
    }

    /** A builder pointing at the test database with fast settings and in-memory offsets. */
    public static PostgresSourceBuilder config(PostgresServer db, String slot, String... tables) {
        return connection(db)
                .withTables(tables)
                .withSlotName(slot)
                .withPublicationName(slot + "_pub")
                .withInMemoryOffsets()
                .withReconnectBackoffInitial(Duration.ofMillis(200))
                .withReconnectBackoffMax(Duration.ofSeconds(2));
    }

    /**
     * A source named {@code id}, started on {@code sink} ({@link PostgresReplicationSource#start}: changes
     * committed from now on are delivered); closed again when the start fails.
     */
    public static PostgresReplicationSource started(String id, PostgresSourceBuilder config, ChangeSink sink)
            throws InterruptedException {
        return start(id, config, null, source -> source.start(sink));
    }

    /** Like {@link #started}, and RUNNING within {@code wait} (asserted). */
    public static PostgresReplicationSource running(
            String id, PostgresSourceBuilder config, ChangeSink sink, Duration wait) throws InterruptedException {
        return start(id, config, wait, source -> source.start(sink));
    }

    /**
     * Like {@link #running}, started with the bootstrap ({@link PostgresReplicationSource#startWithBootstrap},
     * ignoring progress): the bootstrap rows are in {@code sink} when this returns.
     */
    public static PostgresReplicationSource bootstrappedAndRunning(
            String id, PostgresSourceBuilder config, ChangeSink sink, Duration wait) throws InterruptedException {
        return start(id, config, wait, source -> source.startWithBootstrap(sink, p -> {}));
    }

    /** Database writes run by {@link #streamed}. */
    @FunctionalInterface
    public interface Writes {
        /** Runs the writes. */
        void run() throws Exception;
    }

    /**
     * Runs one streaming scenario: a source {@code src} is {@linkplain #started started} on {@code config} and a new
     * sink, {@code writes} run, and the source is closed once at least {@code n} changes arrived (within
     * {@link #WAIT}).
     *
     * @return the sink, holding the changes (with their positions) that arrived until the close
     */
    public static RecordingSink streamed(PostgresSourceBuilder config, int n, Writes writes) throws Exception {
        RecordingSink sink = new RecordingSink();
        try (PostgresReplicationSource source = started("src", config, sink)) {
            writes.run();
            sink.await(n, WAIT);
        }
        return sink;
    }

    /** Builds and starts a source; waits for RUNNING unless {@code wait} is null. */
    private static PostgresReplicationSource start(
            String id, PostgresSourceBuilder config, Duration wait, Consumer<PostgresReplicationSource> start)
            throws InterruptedException {
        PostgresReplicationSource source = new PostgresReplicationSource(id, config.build());
        try {
            start.accept(source);
            if (wait != null) {
                assertThat(source.awaitState(State.RUNNING, wait))
                        .as("source %s RUNNING after the start", id)
                        .isTrue();
            }
            return source;
        } catch (RuntimeException | Error | InterruptedException e) {
            source.close();
            throw e;
        }
    }

    /** @return the element id of an Insert, Update or Delete; the id prefix of a Truncate's table */
    public static String id(SourceChange c) {
        return c.fold(
                i -> i.element().metadata().elementId().value(),
                u -> u.element().metadata().elementId().value(),
                d -> d.metadata().elementId().value(),
                SourceChange.Truncate::elementIdPrefix,
                r -> r.metadata().elementId().value());
    }

    /** @return {@code Insert}, {@code Update}, {@code Delete} or {@code Truncate} */
    public static String kind(SourceChange c) {
        return c.getClass().getSimpleName();
    }

    /**
     * Asserts the changes' kinds and ids, in order.
     *
     * @param expected one {@code "<kind> <id>"} per change, e.g. {@code "Insert public:users:1"}
     */
    public static void assertKindsAndIds(List<SourceChange> changes, String... expected) {
        assertThat(changes).extracting(c -> kind(c) + " " + id(c)).containsExactly(expected);
    }

    /** @return the node of an Insert or Update; fails the test for Delete and Truncate */
    public static Node node(SourceChange c) {
        return c.node().orElseThrow(() -> new AssertionError("no element in " + c));
    }

    /** @return property {@code name} of an Insert's or Update's node */
    public static ElementValue prop(SourceChange c, String name) {
        return node(c).properties().get(name);
    }
}

package io.drasi.source.postgres.httpsink;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.bootstrap.BootstrapResult;
import io.drasi.source.postgres.http.DeliveryCheck;
import io.drasi.source.postgres.http.DrasiHttpSink;
import io.drasi.source.postgres.http.FakeDrasiHttpSource;
import io.drasi.source.postgres.http.HttpSinkConfig;
import io.drasi.source.postgres.http.HttpSinkException;
import io.drasi.source.postgres.http.HttpSinkStats;
import io.drasi.source.postgres.mapping.json.HostPushJson;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * End to end: a real PostgreSQL, {@link PostgresReplicationSource} streaming into {@link DrasiHttpSink},
 * and an in-process drasi HTTP source ({@link FakeDrasiHttpSource}) that is down for 10 s in the middle.
 */
@ExtendWith(PostgresExtension.class)
class HttpSinkStreamingTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void streamWithBootstrap_serverDown10s_endsWithExactlyTheTablesChangesInOrder(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("httpsink");
        db.execute(
                "CREATE TABLE items (id int PRIMARY KEY, seq int NOT NULL, note text)",
                "INSERT INTO items SELECT g, 0, 'initial ' || g FROM generate_series(1, 60) g");
        List<PositionedChange> acknowledged = Collections.synchronizedList(new ArrayList<>());
        Duration backoffMax = Duration.ofSeconds(1);
        try (FakeDrasiHttpSource server = FakeDrasiHttpSource.start("pg-source");
                DrasiHttpSink http = new DrasiHttpSink(HttpSinkConfig.builder(server.url())
                        .withMaxBatchEvents(25)
                        .withBackoff(Duration.ofMillis(100), backoffMax)
                        .withRequestTimeout(Duration.ofSeconds(3))
                        .build());
                PostgresReplicationSource source = new PostgresReplicationSource(
                        "pg-source", config(db, "s_httpsink", "items").build())) {
            ChangeSink recording = batch -> {
                http.accept(batch);
                acknowledged.addAll(batch); // only what the server acknowledged, in order
            };
            source.startWithBootstrap(recording, p -> {});
            assertThat(source.awaitState(State.RUNNING, WAIT)).isTrue();
            assertThat(server.awaitApplied(a -> a.size() >= 60, WAIT)).isTrue();

            AtomicInteger committed = new AtomicInteger();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(db, 400, committed));
            while (committed.get() < 80) {
                Thread.sleep(10);
            }
            server.down();
            int appliedAtDown = server.applied().size();
            Thread.sleep(10_000);
            // backpressure: nothing reached the server, the source waits in the sink (RUNNING, not FAILED)
            HttpSinkStats during = http.stats();
            assertThat(source.state()).isEqualTo(State.RUNNING);
            assertThat(server.applied()).hasSize(appliedAtDown);
            assertThat(during.pendingEvents()).isPositive();
            assertThat(during.pendingFor()).isGreaterThan(Duration.ofSeconds(8));
            assertThat(during.retries()).isGreaterThanOrEqualTo(8);
            long upAt = System.nanoTime();
            server.up();
            assertThat(server.awaitApplied(a -> a.size() > appliedAtDown, WAIT)).isTrue();
            long recoveryMs = (System.nanoTime() - upAt) / 1_000_000;
            writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            Map<String, Integer> expected = tableState(db);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!serverState(server).equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(serverState(server)).isEqualTo(expected);
            Thread.sleep(300); // nothing else is in flight
            List<String> keys;
            synchronized (acknowledged) {
                keys = acknowledged.stream()
                        .map(c -> HostPushJson.encode(c.change()))
                        .toList();
            }
            assertThat(DeliveryCheck.problems(server.requests(), keys, JsonNode::toString))
                    .isEmpty();
            assertThat(keys).hasSizeGreaterThan(60 + 120); // deletes and updates of absent ids change nothing
            HttpSinkStats after = http.stats();
            assertThat(after.postedEvents()).isEqualTo(keys.size());
            assertThat(after.pendingEvents()).isZero();
            assertThat(source.state()).isEqualTo(State.RUNNING);
            System.err.printf(
                    "[measure] e2e: %d changes (60 bootstrap rows + %d transactions) posted in %d requests;"
                            + " 10 s outage survived with %d retries; first event applied %d ms after the server came"
                            + " back (backoffMax %d ms); %d events re-posted%n",
                    keys.size(),
                    committed.get(),
                    after.postedRequests(),
                    after.retries(),
                    recoveryMs,
                    backoffMax.toMillis(),
                    server.applied().size() - keys.size());
            assertThat(recoveryMs).isLessThan(backoffMax.toMillis() + 3000);
        }
    }

    @Test
    void stream_poisonedTarget400_sourceFailsWithUrlAndServerMessage(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("httpsink_poison");
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
        try (FakeDrasiHttpSource server = FakeDrasiHttpSource.start("pg-source");
                DrasiHttpSink http = new DrasiHttpSink(
                        HttpSinkConfig.builder(server.url().replace("/sources/pg-source", "/sources/typo-source"))
                                .build());
                PostgresReplicationSource source = new PostgresReplicationSource(
                        "pg-source", config(db, "s_httpsink_poison", "t").build())) {
            source.start(http);
            db.execute("INSERT INTO t VALUES (1, 'a')");
            assertThat(source.awaitState(State.FAILED, WAIT)).isTrue();
            Throwable f = source.failure().orElseThrow();
            HttpSinkException e = null;
            for (Throwable t = f; t != null; t = t.getCause()) {
                if (t instanceof HttpSinkException h) {
                    e = h;
                }
            }
            assertThat(e).isNotNull();
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage())
                    .contains("/sources/typo-source/events/batch")
                    .contains("Source name mismatch")
                    .contains("Expected source 'pg-source', got 'typo-source'");
            assertThat(server.requests()).hasSize(1);
            assertThat(server.applied()).isEmpty();
        }
    }

    @Test
    void pushBootstrap_rowsBatchedByCount_serverHoldsTheSnapshot(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("httpsink_boot");
        db.execute(
                "CREATE TABLE items (id int PRIMARY KEY, seq int NOT NULL, note text)",
                "INSERT INTO items SELECT g, g % 7, 'row ' || g FROM generate_series(1, 1234) g");
        try (FakeDrasiHttpSource server = FakeDrasiHttpSource.start("pg-source");
                DrasiHttpSink http = new DrasiHttpSink(HttpSinkConfig.builder(server.url())
                        .withMaxBatchEvents(500)
                        .withMaxBatchWait(Duration.ofMinutes(1))
                        .build());
                PostgresReplicationSource source = new PostgresReplicationSource(
                        "pg-source", config(db, "s_httpsink_boot", "items").build())) {
            BootstrapResult result = http.pushBootstrap(source, Set.of(), p -> {});
            assertThat(result.totalRows()).isEqualTo(1234);
            assertThat(server.requests()).extracting(r -> r.events().size()).containsExactly(500, 500, 234);
            assertThat(serverState(server)).isEqualTo(tableState(db));
            assertThat(http.stats().postedEvents()).isEqualTo(1234);
        }
    }

    /** Random inserts/updates/deletes, one transaction each (some with two statements), seq = tx number. */
    private static void write(PostgresServer db, int transactions, AtomicInteger committed) {
        Random rnd = new Random(42);
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (int tx = 1; tx <= transactions; tx++) {
                int id = 1 + rnd.nextInt(90);
                switch (rnd.nextInt(4)) {
                    case 0 -> st.execute("DELETE FROM items WHERE id = " + id);
                    case 1 -> {
                        st.execute("INSERT INTO items VALUES (" + id + ", " + tx + ", 'tx " + tx + "')"
                                + " ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, note = EXCLUDED.note");
                        st.execute("UPDATE items SET note = note || '+' WHERE id = " + (1 + rnd.nextInt(90)));
                    }
                    default -> st.execute("UPDATE items SET seq = " + tx + ", note = 'u" + tx + "' WHERE id = " + id);
                }
                c.commit();
                committed.incrementAndGet();
                Thread.sleep(30);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Integer> tableState(PostgresServer db) {
        Map<String, Integer> m = new TreeMap<>();
        for (Map<String, Object> row : db.query("SELECT id, seq FROM items")) {
            m.put("public:items:" + row.get("id"), ((Number) row.get("seq")).intValue());
        }
        return m;
    }

    private static Map<String, Integer> serverState(FakeDrasiHttpSource server) {
        Map<String, Integer> m = new TreeMap<>();
        server.elements().forEach((id, props) -> m.put(id, props.path("seq").asInt()));
        return m;
    }
}

package io.drasi.source.postgres.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.model.SourceChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DrasiHttpSinkTest {

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private FakeDrasiHttpSource server(String token) {
        FakeDrasiHttpSource s = FakeDrasiHttpSource.start("pg-source", token);
        closeables.add(s);
        return s;
    }

    private static HttpSinkConfig.Builder fast(String url) {
        return HttpSinkConfig.builder(url)
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .withRequestTimeout(Duration.ofSeconds(5));
    }

    private DrasiHttpSink sink(HttpSinkConfig config) {
        DrasiHttpSink s = new DrasiHttpSink(config);
        closeables.add(s);
        return s;
    }

    /** Feeds the changes as adapter batches of {@code batch}. */
    private static void feed(DrasiHttpSink sink, List<PositionedChange> changes, int batch) throws Exception {
        for (int i = 0; i < changes.size(); i += batch) {
            sink.accept(new ArrayList<>(changes.subList(i, Math.min(changes.size(), i + batch))));
        }
    }

    private static void assertExact(FakeDrasiHttpSource server, List<PositionedChange> changes) {
        assertThat(DeliveryCheck.problems(server.requests(), TestChanges.keys(changes), JsonNode::toString))
                .isEmpty();
        Map<String, Long> model = new LinkedHashMap<>();
        server.elements().forEach((id, props) -> model.put(id, props.path("seq").asLong()));
        assertThat(model).isEqualTo(TestChanges.finalState(changes));
    }

    @Test
    void accept_largeBatches_splitIntoPostsOfAtMostMaxBatchEventsInOrder() throws Exception {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(fast(server.url()).withMaxBatchEvents(100).build());
        List<PositionedChange> changes = TestChanges.stream(730);

        feed(sink, changes, 250);

        assertThat(server.requests())
                .extracting(r -> r.events().size())
                .containsExactly(100, 100, 50, 100, 100, 50, 100, 100, 30);
        assertThat(server.requests()).allSatisfy(r -> {
            assertThat(r.path()).isEqualTo("/sources/pg-source/events/batch");
            assertThat(r.authorization()).isNull();
            assertThat(r.fullSuccess()).isTrue();
        });
        assertThat(server.applied()).hasSize(730);
        assertExact(server, changes);
        HttpSinkStats stats = sink.stats();
        assertThat(stats.postedEvents()).isEqualTo(730);
        assertThat(stats.postedRequests()).isEqualTo(9);
        assertThat(stats.retries()).isZero();
        assertThat(stats.pendingEvents()).isZero();
        assertThat(stats.lagMillis()).isGreaterThanOrEqualTo(0);
        assertThat(stats.lastError()).isEmpty();
    }

    @Test
    void accept_bearerToken_sentAndNeverShown() throws Exception {
        FakeDrasiHttpSource server = server("s3cr3t-token");
        DrasiHttpSink sink = sink(fast(server.url()).withToken("s3cr3t-token").build());
        feed(sink, TestChanges.stream(5), 5);
        assertThat(server.requests())
                .singleElement()
                .satisfies(r -> assertThat(r.authorization()).isEqualTo("Bearer s3cr3t-token"));
        assertThat(sink.config().toString()).doesNotContain("s3cr3t").contains("token=****");

        DrasiHttpSink wrong = sink(fast(server.url()).withToken("wrong-token").build());
        assertThatThrownBy(() -> feed(wrong, TestChanges.stream(5), 5))
                .isInstanceOf(HttpSinkException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining(server.url() + "/events/batch")
                .hasMessageContaining("Bearer token")
                .hasMessageNotContaining("wrong-token");
    }

    @Test
    void accept_partialBatchFailure_wholeBatchRepostedUntilFullyAcknowledged() throws Exception {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(fast(server.url()).withMaxBatchEvents(50).build());
        server.enqueue(new FakeDrasiHttpSource.Partial(Set.of(3, 17)), new FakeDrasiHttpSource.Partial(Set.of(0)));
        List<PositionedChange> changes = TestChanges.stream(120);

        feed(sink, changes, 120);

        List<FakeDrasiHttpSource.Request> reqs = server.requests();
        assertThat(reqs).hasSize(5); // 50 partial, 50 partial, 50 ok, 50 ok, 20 ok
        assertThat(reqs.get(0).applied()).hasSize(48);
        assertThat(reqs.get(1).events()).isEqualTo(reqs.get(0).events());
        assertThat(reqs.get(2).events()).isEqualTo(reqs.get(0).events());
        assertExact(server, changes);
        assertThat(sink.stats().retries()).isEqualTo(2);
        assertThat(sink.stats().lastError())
                .hasValueSatisfying(e -> assertThat(e)
                        .contains("partial failure")
                        .contains("Processed 49 events successfully, 1 failed"));
        assertThat(sink.stats().postedEvents()).isEqualTo(120);
    }

    @Test
    void accept_serverErrorsAndDroppedConnections_retriedWithBackoff() throws Exception {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(fast(server.url()).withMaxBatchEvents(40).build());
        server.enqueue(
                new FakeDrasiHttpSource.Status(500, "{\"success\":false,\"message\":\"boom\"}"),
                new FakeDrasiHttpSource.Status(503, "upstream unavailable"),
                new FakeDrasiHttpSource.Drop(),
                new FakeDrasiHttpSource.SuccessFalse(),
                new FakeDrasiHttpSource.Status(429, "slow down"));
        List<PositionedChange> changes = TestChanges.stream(100);

        feed(sink, changes, 100);

        assertExact(server, changes);
        assertThat(server.requests())
                .extracting(FakeDrasiHttpSource.Request::status)
                .containsExactly(500, 503, -1, 200, 429, 200, 200, 200);
        assertThat(sink.stats().retries()).isEqualTo(5);
    }

    @Test
    void accept_slowReplies_timeoutRetriedDuplicatesOnlyWithinThatBatch() throws Exception {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(fast(server.url())
                .withMaxBatchEvents(25)
                .withRequestTimeout(Duration.ofMillis(400))
                .build());
        // first POST: applied by the server, but answered after the client gave up; third: slow but in time
        server.enqueue(
                new FakeDrasiHttpSource.Delay(Duration.ofMillis(1500)),
                new FakeDrasiHttpSource.Ok(),
                new FakeDrasiHttpSource.Delay(Duration.ofMillis(150)));
        List<PositionedChange> changes = TestChanges.stream(75);

        long t0 = System.nanoTime();
        feed(sink, changes, 75);
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertExact(server, changes);
        List<FakeDrasiHttpSource.Request> reqs = server.requests();
        assertThat(reqs).hasSize(4);
        assertThat(reqs.get(1).events()).isEqualTo(reqs.get(0).events());
        // the first 25 events were applied twice (the retried POST), nothing else
        List<String> ids = server.applied().stream().map(JsonNode::toString).toList();
        assertThat(ids).hasSize(100);
        assertThat(ids.subList(0, 25)).isEqualTo(ids.subList(25, 50));
        assertThat(ids.subList(25, 100)).doesNotHaveDuplicates();
        assertThat(sink.stats().retries()).isEqualTo(1);
        assertThat(sink.stats().lastError())
                .hasValueSatisfying(e -> assertThat(e).contains("no reply within 400 ms"));
        assertThat(ms).isLessThan(5000);
    }

    @Test
    void accept_connectionRefusedFor10s_blocksThenRecoversWithoutLossOrReorder() throws Exception {
        FakeDrasiHttpSource server = server(null);
        Duration backoffMax = Duration.ofMillis(500);
        DrasiHttpSink sink = sink(HttpSinkConfig.builder(server.url())
                .withBackoff(Duration.ofMillis(50), backoffMax)
                .withRequestTimeout(Duration.ofSeconds(2))
                .withMaxBatchEvents(20)
                .build());
        List<PositionedChange> changes = TestChanges.stream(400);
        feed(sink, changes.subList(0, 100), 50);

        server.down();
        CompletableFuture<Void> rest = CompletableFuture.runAsync(() -> {
            try {
                feed(sink, changes.subList(100, 400), 50);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(10_000);
        // backpressure: accept is blocked, nothing more arrived, the stats say so
        assertThat(rest).isNotDone();
        HttpSinkStats during = sink.stats();
        assertThat(during.pendingEvents()).isEqualTo(50);
        assertThat(during.pendingFor()).isGreaterThan(Duration.ofSeconds(9));
        assertThat(during.lagMillis()).isGreaterThanOrEqualTo(9_000);
        assertThat(during.retries()).isGreaterThanOrEqualTo(15); // ~10 s / ≤ 0.5 s
        assertThat(during.lastError()).hasValueSatisfying(e -> assertThat(e).contains("cannot connect"));
        long upAt = System.nanoTime();
        server.up();
        assertThat(server.awaitApplied(a -> a.size() > 100, Duration.ofSeconds(5)))
                .isTrue();
        long recoveryMs = (System.nanoTime() - upAt) / 1_000_000;
        rest.get(30, TimeUnit.SECONDS);
        System.err.printf(
                "[measure] recovery after a 10 s outage: first event applied %d ms after the server came"
                        + " back (backoffMax %d ms); %d retries%n",
                recoveryMs, backoffMax.toMillis(), sink.stats().retries());
        assertThat(recoveryMs).isLessThanOrEqualTo(backoffMax.toMillis() + 1000);
        assertExact(server, changes);
        assertThat(server.applied()).hasSize(400); // connection refused: nothing applied twice
        assertThat(sink.stats().pendingEvents()).isZero();
    }

    @Test
    void accept_poison400_failsAtOnceNamingUrlAndServerMessage() {
        FakeDrasiHttpSource server = server(null);
        String wrongSource = server.url().replace("/sources/pg-source", "/sources/other-source");
        DrasiHttpSink sink = sink(fast(wrongSource).build());
        assertThatThrownBy(() -> feed(sink, TestChanges.stream(10), 10))
                .isInstanceOfSatisfying(HttpSinkException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.url().toString()).isEqualTo(wrongSource + "/events/batch");
                    assertThat(e.serverMessage())
                            .hasValue("'Source name mismatch: Expected source 'pg-source', got 'other-source''");
                })
                .hasMessageContaining("POST " + wrongSource + "/events/batch was refused with HTTP 400")
                .hasMessageContaining("Source name mismatch")
                .hasMessageContaining("other-source");
        assertThat(server.requests()).hasSize(1); // no retry loop
        assertThat(sink.stats().failed()).isTrue();
        assertThat(sink.stats().retries()).isZero();
    }

    @Test
    void accept_unhealable4xx_notRetried() {
        FakeDrasiHttpSource server = server(null);
        for (int status : new int[] {400, 403, 404, 405, 415, 422}) {
            DrasiHttpSink sink = sink(fast(server.url()).build());
            int before = server.requests().size();
            server.enqueue(
                    new FakeDrasiHttpSource.Status(status, "{\"success\":false,\"message\":\"nope " + status + "\"}"));
            assertThatThrownBy(() -> feed(sink, TestChanges.stream(3), 3))
                    .isInstanceOfSatisfying(
                            HttpSinkException.class, e -> assertThat(e.status()).isEqualTo(status))
                    .hasMessageContaining("HTTP " + status)
                    .hasMessageContaining("nope " + status);
            assertThat(server.requests()).hasSize(before + 1);
        }
        // a wrong path answers 404 from the server itself
        DrasiHttpSink sink = sink(fast(server.url().replace("/sources/pg-source", "/api/sources/pg-source"))
                .build());
        assertThatThrownBy(() -> feed(sink, TestChanges.stream(3), 3))
                .isInstanceOf(HttpSinkException.class)
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("no drasi HTTP source at this URL");
    }

    @Test
    void accept_invalidEventsRefusedByServer_400AllFailed() {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(fast(server.url()).build());
        server.enqueue(new FakeDrasiHttpSource.Status(
                400, "{\"success\":false,\"message\":\"All 3 events failed\",\"error\":\"Invalid element type\"}"));
        assertThatThrownBy(() -> feed(sink, TestChanges.stream(3), 3))
                .isInstanceOf(HttpSinkException.class)
                .hasMessageContaining("All 3 events failed: Invalid element type");
    }

    @Test
    void accept_tooLarge413_splitInHalvesThenSingleEventFatal() throws Exception {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(fast(server.url()).withMaxBatchEvents(40).build());
        server.enqueue(new FakeDrasiHttpSource.Status(413, "payload too large"));
        List<PositionedChange> changes = TestChanges.stream(40);
        feed(sink, changes, 40);
        assertThat(server.requests()).extracting(r -> r.events().size()).containsExactly(40, 20, 20);
        assertExact(server, changes);

        DrasiHttpSink one = sink(fast(server.url()).withMaxBatchEvents(1).build());
        server.enqueue(new FakeDrasiHttpSource.Status(413, "payload too large"));
        assertThatThrownBy(() -> feed(one, TestChanges.stream(1), 1))
                .isInstanceOf(HttpSinkException.class)
                .hasMessageContaining("single event as too large");
    }

    @Test
    void accept_non2xxDrasiReply_fatal() {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(fast(server.url()).build());
        server.enqueue(new FakeDrasiHttpSource.Status(200, "<html>welcome to nginx</html>"));
        assertThatThrownBy(() -> feed(sink, TestChanges.stream(2), 2))
                .isInstanceOf(HttpSinkException.class)
                .hasMessageContaining("not with a drasi HTTP source reply")
                .hasMessageContaining("welcome to nginx");
    }

    @Test
    void accept_truncate_failPostsWhatCameBeforeThenThrows_skipWarnsAndContinues() throws Exception {
        FakeDrasiHttpSource server = server(null);
        List<PositionedChange> before = TestChanges.stream(5);
        PositionedChange truncate = TestChanges.positioned(
                new SourceChange.Truncate("public", "items", "pg-source", System.currentTimeMillis()), 99);
        List<PositionedChange> batch = new ArrayList<>(before);
        batch.add(truncate);

        DrasiHttpSink failing = sink(fast(server.url()).build());
        assertThatThrownBy(() -> failing.accept(batch))
                .isInstanceOf(HttpSinkException.class)
                .hasMessageContaining("TRUNCATE of table public.items")
                .hasMessageContaining("onTruncate=SKIP");
        assertThat(server.applied()).hasSize(5);

        FakeDrasiHttpSource server2 = server(null);
        DrasiHttpSink skipping =
                sink(fast(server2.url()).withOnTruncate(TruncatePolicy.SKIP).build());
        List<PositionedChange> after = new ArrayList<>(batch);
        after.add(TestChanges.positioned(new SourceChange.Insert(TestChanges.node(3, 100)), 100));
        skipping.accept(after);
        assertThat(server2.applied()).hasSize(6);
        assertThat(skipping.stats().truncatesSkipped()).isEqualTo(1);
        assertThat(skipping.stats().summary()).contains("1 TRUNCATEs skipped");
    }

    @Test
    void accept_maxRetriesExhausted_throwsWithLastCause() {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(fast(server.url()).withMaxRetries(2).build());
        server.down();
        assertThatThrownBy(() -> feed(sink, TestChanges.stream(2), 2))
                .isInstanceOf(HttpSinkException.class)
                .hasMessageContaining("failed 3 times, giving up (maxRetries=2)")
                .hasMessageContaining("cannot connect");
        assertThat(sink.stats().retries()).isEqualTo(3);
    }

    @Test
    void close_whileRetrying_acceptThrowsPromptly() throws Exception {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(HttpSinkConfig.builder(server.url())
                .withBackoff(Duration.ofSeconds(5), Duration.ofSeconds(30))
                .build());
        server.down();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                feed(sink, TestChanges.stream(2), 2);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        Thread.sleep(500);
        long t0 = System.nanoTime();
        sink.close();
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
        assertThat(thrown.get())
                .isInstanceOf(HttpSinkException.class)
                .hasMessageContaining("sink closed while POST")
                .hasMessageContaining("delivered again on the next start");
    }

    @Test
    void accept_interrupted_throwsInterruptedException() throws Exception {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(HttpSinkConfig.builder(server.url())
                .withBackoff(Duration.ofSeconds(5), Duration.ofSeconds(30))
                .build());
        server.down();
        CompletableFuture<Throwable> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                feed(sink, TestChanges.stream(2), 2);
                f.complete(null);
            } catch (Throwable e) {
                f.complete(e);
            }
        });
        t.start();
        Thread.sleep(300);
        t.interrupt();
        assertThat(f.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    }

    @Test
    void bootstrapSink_buffersRowsByCountAndFlushesTheRest() throws Exception {
        FakeDrasiHttpSource server = server(null);
        DrasiHttpSink sink = sink(fast(server.url())
                .withMaxBatchEvents(100)
                .withMaxBatchWait(Duration.ofHours(1))
                .build());
        HttpBootstrapSink rows = sink.bootstrapSink();
        List<PositionedChange> inserts = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            SourceChange.Insert ins = new SourceChange.Insert(TestChanges.node(i, i));
            inserts.add(TestChanges.positioned(ins, i));
            rows.accept(ins);
        }
        assertThat(server.requests()).extracting(r -> r.events().size()).containsExactly(100, 100);
        rows.flush();
        assertThat(server.requests()).extracting(r -> r.events().size()).containsExactly(100, 100, 50);
        assertThat(rows.rows()).isEqualTo(250);
        assertExact(server, inserts);

        FakeDrasiHttpSource server2 = server(null);
        DrasiHttpSink eager =
                sink(fast(server2.url()).withMaxBatchWait(Duration.ZERO).build());
        HttpBootstrapSink each = eager.bootstrapSink();
        for (int i = 0; i < 3; i++) {
            each.accept(new SourceChange.Insert(TestChanges.node(i, i)));
        }
        assertThat(server2.requests()).hasSize(3);
    }

    @Test
    void stats_summary_readable() throws ExecutionException, InterruptedException {
        HttpSinkStats s = new HttpSinkStats(
                1200,
                3,
                2,
                0,
                50,
                Duration.ofMillis(4200),
                4300,
                java.util.Optional.of("cannot connect"),
                java.util.Optional.empty(),
                false);
        assertThat(s.summary())
                .isEqualTo("sink 1,200 posted, 50 waiting for 4.2 s, lag 4,300 ms, 2 retries (last error: cannot "
                        + "connect)");
    }
}

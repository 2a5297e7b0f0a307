package io.drasi.source.postgres.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import io.drasi.source.postgres.testing.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source reaches PostgreSQL through an in-process TCP proxy that resets all connections and refuses
 * new ones (or silently stops forwarding) for a while, as a writer keeps inserting. Afterwards: 0 lost,
 * resumed within 15 s of the network coming back, RECONNECTING visible meanwhile. The 60 s outages run
 * in the long profile ({@code -Preliability}).
 */
@Tag("reliability")
@ExtendWith(PostgresExtension.class)
class NetworkFaultTest {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkFaultTest.class);

    static Stream<Arguments> outages() {
        List<Arguments> a = new ArrayList<>(List.of(Arguments.of("reset", 5), Arguments.of("blackhole", 5)));
        if (Integer.getInteger("reliability.trials", 3) > 3) {
            a.add(Arguments.of("reset", 60));
            a.add(Arguments.of("blackhole", 60));
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} for {1} s")
    @MethodSource("outages")
    void outage_writerKeepsWriting_nothingLostAndResumesQuickly(String mode, int seconds, PostgresServer pg)
            throws Exception {
        PostgresServer db = pg.newDatabase("fault_net_" + mode + seconds);
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        String slot = "fault_net_" + mode + "_" + seconds;
        List<SourceChange> received = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        try (TcpProxy proxy = new TcpProxy(db.host(), db.port())) {
            PostgresSourceConfig cfg = PostgresSourceConfig.builder()
                    .withHost("127.0.0.1")
                    .withPort(proxy.port())
                    .withDatabase(db.database())
                    .withUser(db.user())
                    .withPassword(db.password())
                    .withTables("t")
                    .withSlotName(slot)
                    .withPublicationName(slot + "_pub")
                    .withInMemoryOffsets()
                    .withReconnectBackoffInitial(Duration.ofMillis(500))
                    .withReconnectBackoffMax(Duration.ofSeconds(5))
                    .withConnectTimeout(Duration.ofSeconds(5))
                    .build();
            Thread writer = new Thread(
                    () -> {
                        while (!stop.get()) {
                            db.execute("INSERT INTO t VALUES (" + written.incrementAndGet() + ")");
                            try {
                                Thread.sleep(20);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "net-writer");
            try (PostgresReplicationSource source = new PostgresReplicationSource("net", cfg)) {
                source.start((List<PositionedChange> batch) -> {
                    synchronized (received) {
                        batch.forEach(c -> received.add(c.change()));
                    }
                });
                assertThat(source.awaitState(State.RUNNING, Duration.ofSeconds(30)))
                        .isTrue();
                writer.start();
                Thread.sleep(1000);
                Set<State> seen = new HashSet<>();
                if (mode.equals("reset")) {
                    proxy.cut();
                } else {
                    proxy.blackhole();
                }
                long until = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
                while (System.nanoTime() < until) {
                    seen.add(source.state());
                    Thread.sleep(50);
                }
                int writtenAtRestore = written.get();
                proxy.restore();
                long restored = System.nanoTime();
                long recoveredAt = -1;
                long deadline = restored + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline) {
                    if (ids(received).containsAll(range(writtenAtRestore))) {
                        recoveredAt = System.nanoTime();
                        break;
                    }
                    seen.add(source.state());
                    Thread.sleep(50);
                }
                stop.set(true);
                writer.join();
                int total = written.get();
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!ids(received).containsAll(range(total)) && System.nanoTime() < end) {
                    Thread.sleep(100);
                }
                List<String> all;
                synchronized (received) {
                    all = received.stream()
                            .map(c -> ((SourceChange.Insert) c)
                                    .element()
                                    .metadata()
                                    .elementId()
                                    .value())
                            .toList();
                }
                long lost =
                        range(total).stream().filter(id -> !all.contains(id)).count();
                long dups = all.size() - new HashSet<>(all).size();
                double recovery = recoveredAt < 0 ? -1 : (recoveredAt - restored) / 1e9;
                LOG.info(
                        "RELIABILITY network mode={} outageS={} written={} lost={} rawDuplicates={} recoveryS={}"
                                + " states={} finalState={} reconnects={}",
                        mode,
                        seconds,
                        total,
                        lost,
                        dups,
                        String.format("%.2f", recovery),
                        seen,
                        source.state(),
                        source.stats().reconnects());
                assertThat(lost).as("lost").isZero();
                assertThat(recoveredAt)
                        .as("caught up within 60 s of the network returning")
                        .isPositive();
                assertThat(recovery)
                        .as("seconds to catch up after the network returned")
                        .isLessThan(15.0);
                assertThat(source.state()).isEqualTo(State.RUNNING);
                if (mode.equals("reset")) {
                    assertThat(seen).as("states seen during the outage").contains(State.RECONNECTING);
                }
            }
        } finally {
            stop.set(true);
            db.dropSlotIfExists(slot);
        }
    }

    private static Set<String> ids(List<SourceChange> received) {
        synchronized (received) {
            Set<String> s = new HashSet<>();
            for (SourceChange c : received) {
                s.add(((SourceChange.Insert) c).element().metadata().elementId().value());
            }
            return s;
        }
    }

    private static Set<String> range(int n) {
        Set<String> s = new HashSet<>();
        for (int i = 1; i <= n; i++) {
            s.add("public:t:" + i);
        }
        return s;
    }
}

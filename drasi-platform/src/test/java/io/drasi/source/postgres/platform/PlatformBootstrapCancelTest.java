package io.drasi.source.postgres.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import io.drasi.source.sdk.BootstrapStream;
import io.drasi.source.sdk.models.BootstrapRequest;
import io.undertow.Undertow;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bootstrap stream whose consumer goes away mid-table (issue 16): the read stops within about a second
 * and leaves nothing behind on the server: no temporary slot, no backend.
 */
@ExtendWith(PostgresExtension.class)
class PlatformBootstrapCancelTest {

    private static final int ROWS = 500_000;

    @Test
    void close_midTableOf500kRows_stopsWithinASecondAndLeavesNoSlotOrBackend(PostgresServer pg) throws Exception {
        PostgresServer db = bigTable(pg, "plat_cancel_close");
        PostgresBootstrapStreams streams =
                new PostgresBootstrapStreams(Platform.SOURCE_ID, Platform.config(db, "big"), 64);

        BootstrapStream stream = streams.apply(request());
        assertThat(stream.validate()).isEmpty();
        for (int i = 0; i < 5; i++) {
            assertThat(stream.next()).isNotNull();
        }
        assertThat(slots(db)).as("the read runs on a temporary slot").hasSize(1);

        long t0 = System.nanoTime();
        stream.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("PlatformBootstrapCancelTest: close() returned after " + closeMs + " ms");

        assertThat(closeMs).as("close() stops the read").isLessThan(1_000);
        // close() returns when the read has released everything: the slot is gone at once; a backend
        // exits shortly after its client closed it (server side, asynchronous), a leaked one stays
        assertThat(slots(db)).as("temporary slot dropped").isEmpty();
        assertThat(db.awaitNoOtherBackends(Duration.ofSeconds(5)))
                .as("connections of the read closed")
                .isEmpty();
        awaitNoReaderThread(Duration.ofSeconds(1));
        assertThat(stream.next()).as("a closed stream is empty").isNull();
        stream.close(); // idempotent
    }

    @Test
    void httpProxy_clientDisconnectsMidStream_readStopsWithinTwoSecondsAndLeavesNothing(PostgresServer pg)
            throws Exception {
        PostgresServer db = bigTable(pg, "plat_cancel_http");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Undertow server = BootstrapHttpServer.start(
                port, new PostgresBootstrapStreams(Platform.SOURCE_ID, Platform.config(db, "big"), 64));
        try {
            String body = "{\"nodeLabels\":[\"big\"],\"relLabels\":[]}";
            long t0;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /acquire-stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                assertThat(in.readLine()).startsWith("HTTP/1.1 200");
                int rows = 0;
                for (String line; rows < 5 && (line = in.readLine()) != null; ) {
                    if (line.contains("\"public:big:")) {
                        rows++;
                    }
                }
                assertThat(rows).as("rows arrive before the disconnect").isEqualTo(5);
                assertThat(slots(db)).as("the read runs on a temporary slot").hasSize(1);
                t0 = System.nanoTime();
            } // the client goes away with most of the table unsent

            long deadline = t0 + Duration.ofSeconds(10).toNanos();
            while ((!slots(db).isEmpty() || backends(db) > 0 || readerThreadAlive()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println(
                    "PlatformBootstrapCancelTest: HTTP disconnect -> read stopped, slot and backends gone after "
                            + stopMs + " ms");
            assertThat(slots(db)).as("temporary slot dropped").isEmpty();
            assertThat(backends(db)).as("connections of the read closed").isZero();
            assertThat(readerThreadAlive()).as("reader thread ended").isFalse();
            assertThat(stopMs)
                    .as("the read stops soon after the client disconnects")
                    .isLessThan(2_000);
        } finally {
            server.stop();
        }
    }

    private static PostgresServer bigTable(PostgresServer pg, String prefix) {
        PostgresServer db = pg.newDatabase(prefix);
        db.execute(
                "CREATE TABLE big (id int PRIMARY KEY, pad text)",
                "INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, " + ROWS + ") g");
        return db;
    }

    private static BootstrapRequest request() {
        BootstrapRequest r = new BootstrapRequest();
        r.setNodeLabels(Set.of("big"));
        r.setRelLabels(Set.of());
        return r;
    }

    private static java.util.List<PostgresServer.SlotInfo> slots(PostgresServer db) {
        return db.replicationSlots().stream()
                .filter(s -> db.database().equals(s.database()))
                .toList();
    }

    /** Backends (normal and walsender) the source opened on this test's database. */
    private static int backends(PostgresServer db) {
        return Integer.parseInt(db.queryValue("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                + PostgresServer.quoteLiteral(db.database()) + " AND application_name LIKE 'drasi-source-postgres:%'"
                + " AND pid <> pg_backend_pid()"));
    }

    private static boolean readerThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("drasi-pg-" + Platform.SOURCE_ID + "-bootstrap-") && t.isAlive());
    }

    private static void awaitNoReaderThread(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (readerThreadAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(readerThreadAlive()).as("reader thread ended").isFalse();
    }
}

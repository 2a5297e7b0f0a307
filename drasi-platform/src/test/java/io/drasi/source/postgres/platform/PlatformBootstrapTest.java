package io.drasi.source.postgres.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import io.drasi.source.sdk.BootstrapStream;
import io.drasi.source.sdk.models.BootstrapRequest;
import io.drasi.source.sdk.models.SourceElement;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bootstrap streams per requested label set, directly and through the proxy's HTTP server (SDK routes and wire format).
 */
@ExtendWith(PostgresExtension.class)
class PlatformBootstrapTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void labels_selectTables_elementsExactlyTheRows(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("plat_boot", """
                CREATE TABLE users (id int PRIMARY KEY, name text, score double precision);
                CREATE TABLE orders (id int PRIMARY KEY, user_id int);
                INSERT INTO users VALUES (1, 'Alice', 1.5), (2, 'Bob', NULL);
                INSERT INTO orders VALUES (100, 1);
                """);
        PostgresBootstrapStreams streams =
                new PostgresBootstrapStreams(Platform.SOURCE_ID, Platform.config(db, "users,orders"), 16);
        assertThat(streams.labels()).containsExactlyInAnyOrder("users", "orders");

        List<String> users = drain(streams.apply(request(Set.of("users"), Set.of())));
        assertThat(users)
                .containsExactly(
                        "{\"id\":\"public:users:1\",\"labels\":[\"users\"],\"properties\":{\"id\":1,"
                                + "\"name\":\"Alice\",\"score\":1.5}}",
                        "{\"id\":\"public:users:2\",\"labels\":[\"users\"],\"properties\":{\"id\":2,\"name\":\"Bob\","
                                + "\"score\":null}}");
        assertThat(drain(streams.apply(request(Set.of("users", "orders"), Set.of()))))
                .hasSize(3)
                .anyMatch(s -> s.contains("\"public:orders:100\""));
        // no node labels: nothing asked of this source
        assertThat(drain(streams.apply(request(Set.of(), Set.of())))).isEmpty();
        assertThat(slots(db)).as("temporary slots gone").isEmpty();
    }

    @Test
    void validate_unknownLabelsRelationsAndDatabaseProblems_reported(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("plat_boot_bad");
        db.execute("CREATE TABLE users (id int PRIMARY KEY)");
        PostgresBootstrapStreams streams =
                new PostgresBootstrapStreams(Platform.SOURCE_ID, Platform.config(db, "users"), 16);
        try (BootstrapStream s = streams.apply(request(Set.of("users", "user"), Set.of("OWNS")))) {
            assertThat(s.validate())
                    .containsExactly(
                            "unknown node label 'user': source pg-platform-test serves [users] (one label per "
                                    + "configured table)",
                            "unknown relation label 'OWNS': source pg-platform-test has no relations");
        }
        db.execute("DROP TABLE users");
        try (BootstrapStream s = streams.apply(request(Set.of("users"), Set.of()))) {
            assertThat(s.validate())
                    .singleElement()
                    .asString()
                    .startsWith("bootstrap of [users] failed:")
                    .contains("users");
        }
    }

    @Test
    void boundedQueue_streamsManyRowsAndCloseEarlyCancelsTheRead(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("plat_boot_big");
        db.execute(
                "CREATE TABLE big (id int PRIMARY KEY, pad text)",
                "INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g");
        PostgresBootstrapStreams streams =
                new PostgresBootstrapStreams(Platform.SOURCE_ID, Platform.config(db, "big"), 4);
        assertThat(drain(streams.apply(request(Set.of("big"), Set.of())))).hasSize(20000);

        BootstrapStream early = streams.apply(request(Set.of("big"), Set.of()));
        assertThat(early.validate()).isEmpty();
        assertThat(early.next()).isNotNull();
        early.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!slots(db).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(slots(db))
                .as("the cancelled read released its temporary slot")
                .isEmpty();
        while (readerThreadAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(readerThreadAlive()).as("the reader thread ended").isFalse();
    }

    @Test
    void sourceProxy_acquireStream_ndjsonAnd400ForUnknownLabels(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("plat_proxy");
        db.execute("CREATE TABLE users (id int PRIMARY KEY, name text)", "INSERT INTO users VALUES (7, 'Zoe')");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        io.undertow.Undertow server = BootstrapHttpServer.start(
                port, new PostgresBootstrapStreams(Platform.SOURCE_ID, Platform.config(db, "users"), 16));
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ok = http.send(
                    post(port, "{\"nodeLabels\":[\"users\"],\"relLabels\":[]}"), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body().lines().toList())
                    .containsExactly("{\"id\":\"public:users:7\",\"labels\":[\"users\"],\"properties\":{\"id\":7,"
                            + "\"name\":\"Zoe\"}}");
            HttpResponse<String> bad = http.send(
                    post(port, "{\"nodeLabels\":[\"nope\"],\"relLabels\":[]}"), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("unknown node label 'nope'");
        } finally {
            server.stop();
        }
    }

    /** Slots of this test's database (the server is shared by every test). */
    private static List<PostgresServer.SlotInfo> slots(PostgresServer db) {
        return db.replicationSlots().stream()
                .filter(s -> db.database().equals(s.database()))
                .toList();
    }

    private static boolean readerThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("drasi-pg-" + Platform.SOURCE_ID + "-bootstrap-") && t.isAlive());
    }

    private static HttpRequest post(int port, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/acquire-stream"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static BootstrapRequest request(Set<String> nodes, Set<String> rels) {
        BootstrapRequest r = new BootstrapRequest();
        r.setNodeLabels(nodes);
        r.setRelLabels(rels);
        return r;
    }

    private static List<String> drain(BootstrapStream stream) throws Exception {
        List<String> out = new ArrayList<>();
        try (stream) {
            assertThat(stream.validate()).isEmpty();
            SourceElement e;
            while ((e = stream.next()) != null) {
                out.add(e.toJson());
            }
        }
        for (String s : out) {
            JsonNode n = JSON.readTree(s);
            assertThat(n.has("id")).isTrue();
        }
        return out;
    }
}

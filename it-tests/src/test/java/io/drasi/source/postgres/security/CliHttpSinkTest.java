package io.drasi.source.postgres.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drasi.source.postgres.http.FakeDrasiHttpSource;
import io.drasi.source.postgres.it.cli.CliProcess;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's CLI path: the real jar's {@code drasi-pg stream --config FILE --bootstrap --sink URL} and
 * {@code drasi-pg bootstrap --config FILE --sink URL} against the in-process drasi HTTP source of the
 * http-sink tests ({@link FakeDrasiHttpSource}, from its test-jar). The server must receive exactly the
 * table's changes, in commit order, and end with exactly the table's rows; stdout stays empty (data went
 * to the sink), and the key values with {@code :} / {@code %} arrive with their encoded ids.
 */
@ExtendWith(PostgresExtension.class)
class CliHttpSinkTest {

    private static final String SOURCE_ID = "cli-sink";

    @TempDir
    Path tmp;

    private Path config(PostgresServer db) throws Exception {
        return CliProcess.sourceYaml(
                tmp.resolve("source.yaml"),
                db,
                SOURCE_ID,
                db.user(),
                "${CLI_SINK_PW}",
                "cli_sink_slot",
                "cli_sink_pub",
                List.of("t"));
    }

    /** The table as the fake server should hold it: element id → properties. */
    private static Map<String, String> tableState(PostgresServer db) {
        Map<String, String> out = new TreeMap<>();
        for (Map<String, Object> r : db.query("SELECT k, v FROM t ORDER BY k")) {
            String k = (String) r.get("k");
            String id = "public:t:" + k.replace("%", "%25").replace(":", "%3A");
            out.put(id, "{\"k\":\"" + k + "\",\"v\":" + r.get("v") + "}");
        }
        return out;
    }

    private static Map<String, String> serverState(FakeDrasiHttpSource server) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : server.elements().entrySet()) {
            out.put(e.getKey(), e.getValue().toString());
        }
        return out;
    }

    private static String op(JsonNode event) {
        return event.path("operation").asText() + " " + FakeDrasiHttpSource.idOf(event);
    }

    @Test
    void streamAndBootstrap_withSink_serverGetsExactlyTheTablesChanges(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("cli_sink");
        db.execute(
                "CREATE TABLE t (k text PRIMARY KEY, v int)", "INSERT INTO t VALUES ('a', 1), ('b:1', 2), ('c%', 3)");
        Path cfg = config(db);
        Map<String, String> env = Map.of("CLI_SINK_PW", db.password());
        try (FakeDrasiHttpSource server = FakeDrasiHttpSource.start(SOURCE_ID)) {
            CliProcess stream = CliProcess.start(
                    tmp,
                    List.of(),
                    env,
                    "stream",
                    "--config",
                    cfg.toString(),
                    "--bootstrap",
                    "--sink",
                    server.url(),
                    "--offsets",
                    tmp.resolve("sink.offsets").toString(),
                    "--progress-interval",
                    "500ms");
            try {
                stream.awaitStreaming();
                db.execute(
                        "INSERT INTO t VALUES ('d', 4)",
                        "UPDATE t SET v = 20 WHERE k = 'b:1'",
                        "DELETE FROM t WHERE k = 'c%'");
                db.executeInTransaction("INSERT INTO t VALUES ('e:%3A', 5)", "UPDATE t SET v = 40 WHERE k = 'd'");
                assertThat(server.awaitApplied(a -> a.size() >= 8, Duration.ofSeconds(30)))
                        .as("8 events applied; stderr:\n%s", stream.stderr())
                        .isTrue();
                Thread.sleep(500); // a duplicate or stray event would show now
                assertThat(server.applied().stream().map(CliHttpSinkTest::op).toList())
                        .containsExactly(
                                "insert public:t:a",
                                "insert public:t:b%3A1",
                                "insert public:t:c%25",
                                "insert public:t:d",
                                "update public:t:b%3A1",
                                "delete public:t:c%25",
                                "insert public:t:e%3A%253A",
                                "update public:t:d");
                assertThat(serverState(server)).isEqualTo(tableState(db));
                assertThat(server.requests())
                        .allMatch(r -> r.status() == 200 && r.fullSuccess())
                        .allMatch(r -> r.path().equals("/sources/" + SOURCE_ID + "/events/batch")
                                || r.path().equals("/sources/" + SOURCE_ID + "/events"));
                assertThat(stream.stderr()).contains("posted");
            } finally {
                assertThat(stream.stop()).as(stream.stderr()).isIn(0, 143);
            }
            assertThat(stream.stdout()).as("data goes to the sink, not stdout").isEmpty();
        }

        try (FakeDrasiHttpSource fresh = FakeDrasiHttpSource.start(SOURCE_ID)) {
            CliProcess boot = CliProcess.start(
                    tmp, List.of(), env, "bootstrap", "--config", cfg.toString(), "--sink", fresh.url());
            assertThat(boot.await(Duration.ofSeconds(60))).as(boot.stderr()).isZero();
            assertThat(boot.stdout()).isEmpty();
            assertThat(fresh.applied())
                    .hasSize(4)
                    .allMatch(e -> e.path("operation").asText().equals("insert"));
            assertThat(serverState(fresh)).isEqualTo(tableState(db));
        } finally {
            db.dropSlotIfExists("cli_sink_slot");
        }
    }
}

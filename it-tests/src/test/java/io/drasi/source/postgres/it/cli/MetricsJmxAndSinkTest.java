package io.drasi.source.postgres.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.VirtualMachine;
import io.drasi.source.postgres.http.FakeDrasiHttpSource;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drasi-pg stream --sink URL --metrics-port 0 --jmx} (issue 19): the HTTP sink's meters
 * ({@code drasi_sink_*}) appear on {@code /metrics} beside the source's, and the source's meters are MBeans in the
 * JVM's platform MBean server (domain {@code drasi}), read here through the JDK attach API as JConsole would.
 */
@ExtendWith(PostgresExtension.class)
class MetricsJmxAndSinkTest {

    private static final Pattern PORT = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");

    @TempDir
    Path tmp;

    @Test
    void stream_sinkAndJmx_sinkMetersScrapedAndSourceMetersOverJmx(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("cli_metrics_jmx");
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
        Path config = CliProcess.sourceYaml(tmp, db, "jmx-test", "s_cli_jmx", List.of("t"));
        try (FakeDrasiHttpSource server = FakeDrasiHttpSource.start("jmx-test")) {
            server.enqueue(new FakeDrasiHttpSource.Status(503, "warming up")); // one retried POST
            CliProcess p =
                    CliProcess.stream(tmp, config, "memory", "--metrics-port", "0", "--jmx", "--sink", server.url());
            try {
                p.awaitStreaming();
                db.execute(
                        "INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)",
                        "UPDATE t SET v = 9 WHERE id = 1",
                        "DELETE FROM t WHERE id = 2");
                Matcher m = PORT.matcher(p.stderr());
                assertThat(m.find()).as(p.stderr()).isTrue();
                URI scrape = URI.create("http://127.0.0.1:" + m.group(1) + "/metrics");
                String tag = "sink=\"" + server.url() + "\"";
                String acknowledged = "drasi_source_changes_total{op=\"delete\",source=\"jmx-test\"} 1.0";
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                String metrics = get(scrape);
                while (!metrics.contains(acknowledged) && System.nanoTime() < deadline) { // the sink returned
                    Thread.sleep(20);
                    metrics = get(scrape);
                }
                assertThat(server.applied()).as(p.stderr()).hasSize(5);

                Map<String, Object> jmx = readDrasiMBeans(p.process().pid()); // runs a GC in the CLI's JVM first
                metrics = get(scrape);
                assertThat(metrics)
                        .contains("drasi_sink_posts_total{outcome=\"retried\"," + tag + "} 1.0")
                        .contains("drasi_sink_retries_total{" + tag + "} 1.0")
                        .contains("drasi_sink_events_total{" + tag + "} 5.0")
                        .contains("drasi_sink_failed{" + tag + "} 0.0")
                        .containsPattern(
                                "drasi_sink_posts_total\\{outcome=\"acknowledged\"," + Pattern.quote(tag) + "\\} [1-9]")
                        .containsPattern("drasi_sink_lag_seconds\\{" + Pattern.quote(tag) + "\\} [0-9]")
                        .contains("drasi_source_changes_total{op=\"insert\",source=\"jmx-test\"} 3.0")
                        .containsPattern("drasi_source_slot_retained_wal_bytes\\{source=\"jmx-test\"\\} [0-9]");

                assertThat(jmx)
                        .as("MBeans of domain drasi")
                        .containsKeys(
                                "drasiSourceChanges.op.insert.source.jmx-test",
                                "drasiSourceChanges.op.delete.source.jmx-test",
                                "drasiSourceState.source.jmx-test.state.RUNNING",
                                "drasiSourceLag.source.jmx-test",
                                "drasiSinkEvents.sink." + server.url());
                assertThat(((Number) jmx.get("drasiSourceChanges.op.insert.source.jmx-test")).doubleValue())
                        .isEqualTo(3.0);
                assertThat(((Number) jmx.get("drasiSourceChanges.op.update.source.jmx-test")).doubleValue())
                        .isEqualTo(1.0);
                assertThat(((Number) jmx.get("drasiSourceState.source.jmx-test.state.RUNNING")).doubleValue())
                        .isEqualTo(1.0);
                assertThat(((Number) jmx.get("drasiSinkEvents.sink." + server.url())).doubleValue())
                        .isEqualTo(5.0);
                assertThat(((Number) jmx.get("drasiSourceSlotRetainedWal.source.jmx-test")).doubleValue())
                        .as("sampled with a query; survives a GC in the CLI (Micrometer holds gauge objects weakly)")
                        .isGreaterThanOrEqualTo(0.0);
            } finally {
                p.process().destroy();
                p.await(Duration.ofSeconds(30));
            }
        }
    }

    private static String get(URI uri) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /**
     * Attaches to the CLI's JVM as JConsole does, runs a GC there, and reads every MBean of domain {@code drasi}: name
     * → value.
     */
    private static Map<String, Object> readDrasiMBeans(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        Map<String, Object> out = new TreeMap<>();
        try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();
            mbs.invoke(new ObjectName("java.lang:type=Memory"), "gc", null, null);
            Set<ObjectName> names = mbs.queryNames(new ObjectName("drasi:*"), null);
            for (ObjectName n : names) {
                boolean counter = java.util.Arrays.stream(mbs.getMBeanInfo(n).getAttributes())
                        .anyMatch(a -> a.getName().equals("Count"));
                String name = n.getKeyProperty("name");
                out.put(
                        name.startsWith("\"") ? ObjectName.unquote(name) : name,
                        mbs.getAttribute(n, counter ? "Count" : "Value"));
            }
        }
        return out;
    }
}

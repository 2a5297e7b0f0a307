package io.drasi.examples.engine;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.config.ConfigFiles;
import io.drasi.source.postgres.DrasiChangeConsumer;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.mapping.json.HostPushJson;
import io.drasi.source.postgres.model.SourceChange;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The Drasi mapping inside a Debezium engine you build and run yourself: {@link DrasiChangeConsumer} is the
 * engine's change consumer and hands a {@link ChangeSink} Drasi changes in batches. The engine properties start
 * from {@link PostgresReplicationSource#debeziumEngineProperties} (the value contract the mapping needs) and then
 * carry this application's own choices: its engine name, a plain file offset store and Debezium's own snapshot.
 * Each change is printed as the drasi-server HTTP source event it would be posted as.
 *
 * <pre>
 * PGPASSWORD=... java -jar target/own-debezium-engine.jar source.yaml
 * </pre>
 *
 * The source is described by a drasi-server ({@code kind: postgres}) or drasi-lib ({@code source_type: postgres})
 * YAML file, {@code ${VAR}} taken from the environment (e.g. {@code password: ${PGPASSWORD}}); offsets in
 * {@code own-engine.offsets}. Runs until Ctrl-C. With {@code EXPECT_CHANGES=N} it exits 0 once N changes were
 * printed and 1 when they did not arrive within {@code TIMEOUT_SECONDS} (60): how CI proves the example works.
 */
public final class OwnEngineApp {

    private OwnEngineApp() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -jar own-debezium-engine.jar SOURCE.yaml (a drasi-server or drasi-lib"
                    + " postgres source; ${VAR} from the environment)");
            System.exit(2);
        }
        ConfigFiles.LoadedConfig loaded = ConfigFiles.load(Path.of(args[0])); // every problem at once
        String sourceId = loaded.sourceId().orElse("pg-source");
        PostgresSourceConfig config = loaded.config();
        Map<String, String> env = System.getenv();

        // The engine properties: what the mapping needs, then your own settings on top.
        Properties props = PostgresReplicationSource.debeziumEngineProperties(sourceId, config);
        props.setProperty("name", "own-engine");
        props.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        props.setProperty("offset.storage.file.filename", Path.of("own-engine.offsets").toAbsolutePath().toString());
        props.setProperty("snapshot.mode", "initial"); // Debezium's own snapshot: existing rows arrive as Inserts

        AtomicInteger printed = new AtomicInteger();
        ChangeSink printing = batch -> {
            for (PositionedChange c : batch) {
                System.out.println(describe(c.change()));
            }
            System.out.flush();
            printed.addAndGet(batch.size());
        };

        CountDownLatch stopped = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        int exit;
        // DrasiChangeConsumer checks the properties against the value contract (naming anything missing) first.
        try (DrasiChangeConsumer drasi = new DrasiChangeConsumer(sourceId, config, props, printing);
             DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine
                     .create(ChangeEventFormat.of(Connect.class))
                     .using(props)
                     .using(new DebeziumEngine.ConnectorCallback() {
                         @Override
                         public void pollingStarted() {
                             System.err.println("streaming " + String.join(", ", config.tables()));
                         }
                     })
                     .using((success, message, error) -> {
                         if (!success) {
                             System.err.println("engine stopped: " + message);
                         }
                         stopped.countDown();
                     })
                     .notifying(drasi)
                     .build()) {
            executor.execute(engine);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    engine.close();
                } catch (Exception e) {
                    System.err.println("stopping the engine: " + e);
                }
            }, "own-engine-stop"));
            exit = awaitChanges(printed, stopped, Integer.parseInt(env.getOrDefault("EXPECT_CHANGES", "0")),
                    Long.parseLong(env.getOrDefault("TIMEOUT_SECONDS", "60")));
        } finally {
            executor.shutdown();
            executor.awaitTermination(30, TimeUnit.SECONDS);
        }
        System.exit(exit);
    }

    /** One line per change: the drasi-server HTTP source event (a TRUNCATE has none: named instead). */
    private static String describe(SourceChange change) {
        return change instanceof SourceChange.Truncate t ? "TRUNCATE " + t.tableId() : HostPushJson.encode(change);
    }

    /** Until the engine stops (Ctrl-C), or (with {@code expect > 0}) until that many changes or the timeout. */
    private static int awaitChanges(AtomicInteger printed, CountDownLatch stopped, int expect, long timeoutSeconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (expect <= 0 || printed.get() < expect) {
            if (stopped.await(100, TimeUnit.MILLISECONDS)) {
                return expect > 0 ? 1 : 0;
            }
            if (expect > 0 && System.nanoTime() > deadline) {
                System.err.println("expected " + expect + " changes within " + timeoutSeconds + " s, got " + printed.get());
                return 1;
            }
        }
        System.err.println("received " + printed.get() + " changes");
        return 0;
    }
}

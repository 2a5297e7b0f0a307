package io.drasi.source.postgres.bench;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.engine.format.Json;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Child JVM of {@link CliThroughput}: the Debezium embedded engine started the way Debezium's documentation starts
 * it, with <b>Debezium's own defaults</b> — Connect format ({@code ChangeEventFormat.of(Connect.class)}), the
 * per-record {@code notifying(Consumer)} handler, in-memory offsets ({@code MemoryOffsetBackingStore}), and only
 * the properties a user must set: connection, {@code topic.prefix}, {@code plugin.name=pgoutput}, slot,
 * publication, {@code table.include.list}, and {@code snapshot.mode=no_data} (the slot already holds the backlog;
 * Debezium's default {@code initial} would first copy the table). Everything else — {@code poll.interval.ms} 500,
 * {@code max.batch.size} 2048, {@code max.queue.size} 8192, no transaction metadata, offsets flushed every 60 s,
 * {@code record.processing.threads} = cores — is Debezium's default.
 *
 * <p>The handler counts the data records of the table; once {@code expected} arrived the program closes the engine
 * and exits 0 (the driver times the whole process). Args: {@code host port database user password table slot
 * publication expected [json]}. With {@code json}: Debezium's JSON format ({@code DebeziumEngine.create(Json.class)},
 * its default converter, schemas included) and every record's value printed to stdout — Debezium's own JSON lines.
 */
public final class DebeziumDefaultsMain {

    private DebeziumDefaultsMain() {}

    public static void main(String[] args) throws Exception {
        BenchSupport.Db db = BenchSupport.Db.parse(args, 0);
        String table = args[5];
        long expected = Long.parseLong(args[8]);
        Properties props = new Properties();
        props.setProperty("name", "engine");
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        props.setProperty("database.hostname", db.host());
        props.setProperty("database.port", Integer.toString(db.port()));
        props.setProperty("database.user", db.user());
        props.setProperty("database.password", db.password());
        props.setProperty("database.dbname", db.database());
        props.setProperty("topic.prefix", "bench");
        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", args[6]);
        props.setProperty("publication.name", args[7]);
        props.setProperty("table.include.list", "public." + table);
        props.setProperty("snapshot.mode", "no_data");
        if (Boolean.getBoolean("bench.txMetadata")) { // analysis only: what BEGIN/END records cost Debezium itself
            props.setProperty("provide.transaction.metadata", "true");
        }
        String topic = "bench.public." + table;
        boolean json = args.length > 9 && args[9].equals("json");
        AtomicLong count = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        try (DebeziumEngine<?> engine = json
                ? DebeziumEngine.create(Json.class)
                        .using(props)
                        .notifying(record -> {
                            if (record.value() != null && topic.equals(record.destination())) {
                                out.println(record.value());
                                if (count.incrementAndGet() == expected) {
                                    out.flush();
                                    done.countDown();
                                }
                            }
                        })
                        .build()
                : DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                        .using(props)
                        .notifying(event -> {
                            SourceRecord r = event.record();
                            if (r.value() != null && topic.equals(r.topic()) && count.incrementAndGet() == expected) {
                                done.countDown();
                            }
                        })
                        .build()) {
            executor.execute(engine);
            if (!done.await(Long.getLong("bench.timeoutSeconds", 900), TimeUnit.SECONDS)) {
                System.err.println(
                        "error variant=debezium_defaults only " + count.get() + " of " + expected + " changes");
                System.exit(1);
            }
        }
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        System.err.println("result variant=debezium_defaults" + (json ? "_json" : "") + " changes=" + count.get()
                + " rss_mb=" + BenchSupport.peakRssMb());
        System.exit(0);
    }
}

package io.drasi.source.postgres.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.engine.format.Json;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.mapping.json.SeedJson;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Child JVM of {@link BenchRun}: drains one pre-filled replication slot to a counting sink and prints one
 * {@code result ...} line. Args: {@code variant host port database user password table slot publication
 * expectedChanges}. Variants:
 * <ul>
 *   <li>{@code adapter}: {@link PostgresReplicationSource#start} with a sink counting Drasi changes;</li>
 *   <li>{@code adapter_seedjson}: the same, also encoding every change as seed JSON ({@link SeedJson});</li>
 *   <li>{@code debezium_connect}: the raw Debezium embedded engine, Connect format, with the properties the
 *       adapter would use (via {@link PostgresReplicationSource#debeziumEngineProperties}), counting data records, no
 *       mapping;</li>
 *   <li>{@code debezium_json}: the same engine with {@code io.debezium.engine.format.Json}, each value parsed
 *       with Jackson and mapped to an element (id, label, properties, time, LSN) as the Drasi platform's
 *       Debezium reactivator does.</li>
 * </ul>
 * The rate is changes per second from the first to the last change delivered (engine start-up excluded and
 * reported separately as {@code first_change_ms}, from just before the engine is started).
 */
public final class StreamBench {

    private StreamBench() {}

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        BenchSupport.Db db = BenchSupport.Db.parse(args, 1);
        String table = args[6];
        String slot = args[7];
        String publication = args[8];
        long expected = Long.parseLong(args[9]);
        Path offsets = BenchSupport.tempOffsets("drasi-bench-offsets", variant + ".offsets");
        PostgresSourceConfig config =
                db.config(table, slot, publication).withOffsetStore(offsets).build();
        Counter counter = new Counter(expected);
        long t0 = System.nanoTime();
        AutoCloseable running = switch (variant) {
            case "adapter" -> adapter(config, counter, false);
            case "adapter_seedjson" -> adapter(config, counter, true);
            case "debezium_connect" -> connect(db, config, counter);
            case "debezium_json" -> json(db, config, counter, table);
            default -> throw new IllegalArgumentException("unknown variant " + variant);
        };
        boolean done;
        try {
            done = counter.await(Long.getLong("bench.timeoutSeconds", 600));
        } finally {
            running.close();
        }
        if (!done) {
            System.out.println("error variant=" + variant + " only " + counter.count + " of " + expected + " changes");
            System.exit(1);
        }
        double seconds = (counter.lastNanos - counter.firstNanos) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "result variant=%s changes=%d seconds=%.3f rate=%.0f first_change_ms=%.0f"
                        + " rss_mb=%d heap_mb=%d checksum=%d%n",
                variant,
                counter.count,
                seconds,
                (counter.count - 1) / seconds,
                (counter.firstNanos - t0) / 1e6,
                BenchSupport.peakRssMb(),
                BenchSupport.peakHeapMb(),
                counter.checksum);
        System.exit(0); // engine threads of the closed engines must not keep the JVM up
    }

    /** Counts delivered changes; the delivery thread is the only writer. */
    static final class Counter {
        final long expected;
        final CountDownLatch done = new CountDownLatch(1);
        volatile long count;
        long checksum;
        long firstNanos;
        volatile long lastNanos;

        Counter(long expected) {
            this.expected = expected;
        }

        void add(long n) {
            if (count == 0 && n > 0) {
                firstNanos = System.nanoTime();
            }
            count += n;
            if (count >= expected && done.getCount() > 0) {
                lastNanos = System.nanoTime();
                done.countDown();
            }
        }

        boolean await(long seconds) throws InterruptedException {
            return done.await(seconds, TimeUnit.SECONDS);
        }
    }

    private static AutoCloseable adapter(PostgresSourceConfig config, Counter counter, boolean seedJson) {
        PostgresReplicationSource source = new PostgresReplicationSource("bench", config);
        source.start(batch -> {
            if (seedJson) {
                long chars = 0;
                for (PositionedChange c : batch) {
                    chars += SeedJson.encode(c.change()).length();
                }
                counter.checksum += chars;
            }
            counter.add(batch.size());
        });
        return source;
    }

    private static AutoCloseable connect(BenchSupport.Db db, PostgresSourceConfig config, Counter counter)
            throws Exception {
        Properties props = PostgresReplicationSource.debeziumEngineProperties("bench", config);
        return counting(DebeziumEngine.create(ChangeEventFormat.of(Connect.class)), props, counter, e -> {
            SourceRecord r = e.record();
            return r.value() != null && r.topic().endsWith(".bench_stream") ? 1 : 0;
        });
    }

    /** What the platform reactivator builds per change: id, label, properties (the JSON node), times, LSN. */
    record JsonElement(String op, String id, String label, JsonNode properties, long tsMs, long lsn) {}

    private static AutoCloseable json(BenchSupport.Db db, PostgresSourceConfig config, Counter counter, String table)
            throws Exception {
        Properties props = PostgresReplicationSource.debeziumEngineProperties("bench", config);
        ObjectMapper mapper = new ObjectMapper();
        return counting(DebeziumEngine.create(Json.class), props, counter, e -> {
            if (e.value() == null) {
                return 0;
            }
            try {
                JsonElement el = map(mapper.readTree(e.value()), table);
                if (el == null) {
                    return 0;
                }
                counter.checksum += el.properties().size();
                return 1;
            } catch (java.io.IOException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    /**
     * A running Debezium engine ({@code format} over {@code props}) whose handler marks every record processed,
     * finishes each batch and adds to {@code counter} what {@code count} says each record is worth (0 or 1): the
     * batch loop of both Debezium baselines, so they differ only in format and extraction.
     */
    private static <R> AutoCloseable counting(
            DebeziumEngine.Builder<R> format, Properties props, Counter counter, ToLongFunction<R> count) {
        return run(format.using(props)
                .notifying((List<R> records, DebeziumEngine.RecordCommitter<R> committer) -> {
                    long n = 0;
                    for (R e : records) {
                        n += count.applyAsLong(e);
                        committer.markProcessed(e);
                    }
                    committer.markBatchFinished();
                    counter.add(n);
                })
                .build());
    }

    /** The reactivator's extraction: payload.op, the row image, {@code table:key} id, ts and LSN. */
    static JsonElement map(JsonNode value, String table) {
        JsonNode payload = value.path("payload");
        if (!payload.has("op")) {
            return null;
        }
        JsonNode source = payload.path("source");
        String label = source.path("table").asText();
        if (!table.equals(label)) {
            return null;
        }
        String op = payload.path("op").asText();
        JsonNode item = switch (op) {
            case "c", "u", "r" -> payload.path("after");
            case "d" -> payload.path("before");
            default -> null;
        };
        if (item == null || !item.has("id")) {
            return null;
        }
        String id = (source.path("schema").asText() + ":" + label + ":"
                + item.path("id").asText());
        return new JsonElement(
                op,
                id,
                label,
                item,
                payload.path("ts_ms").asLong(),
                source.path("lsn").asLong());
    }

    private static <T> AutoCloseable run(DebeziumEngine<T> engine) {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        return () -> {
            engine.close();
            executor.shutdown();
            executor.awaitTermination(30, TimeUnit.SECONDS);
        };
    }
}

package io.drasi.source.postgres.reliability;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.mapping.json.SeedJson;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Child-process main for fault tests: streams (with first-start bootstrap) into a file, one line per
 * acknowledged-to-be change: {@code <position>\t<seed json>}. The line is written (to the OS) before
 * {@code accept} returns, so after a SIGKILL the file holds every change the source may have acknowledged,
 * plus possibly some it had not yet acknowledged (which are then delivered again).
 *
 * <p>Args: host port db user password table slot offsetsFile outFile. System properties: {@code batch} (max batch
 * size), {@code onSlotLoss} ({@code fail} or {@code resync}), {@code sinkDelayMs} (sleep after each batch).
 */
public final class RecordingStreamer {

    private RecordingStreamer() {}

    /**
     * The command line of a child JVM running {@link #main} on {@code db} ({@code -Xmx256m}, the test class path,
     * slf4j-simple at WARN): one place for the argument order {@code main} reads.
     *
     * @param table      the captured table
     * @param slot       the slot; the publication is {@code <slot>_pub}
     * @param offsets    the offsets file
     * @param out        the output file, or {@code count} (no file: {@code COUNT <n> heapUsedMb=<m>} lines on stdout)
     * @param jvmOptions further JVM options, e.g. {@code -Dbatch=256}, {@code -DonSlotLoss=resync}
     */
    static List<String> command(
            PostgresServer db, String table, String slot, Path offsets, String out, String... jvmOptions) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("-Xmx256m");
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                RecordingStreamer.class.getName(),
                db.host(),
                Integer.toString(db.port()),
                db.database(),
                db.user(),
                db.password(),
                table,
                slot,
                offsets.toString(),
                out));
        return cmd;
    }

    public static void main(String[] args) throws Exception {
        PostgresSourceConfig config = PostgresSourceConfig.builder()
                .withHost(args[0])
                .withPort(Integer.parseInt(args[1]))
                .withDatabase(args[2])
                .withUser(args[3])
                .withPassword(args[4])
                .withTables(args[5])
                .withSlotName(args[6])
                .withPublicationName(args[6] + "_pub")
                .withOffsetStore(Path.of(args[7]))
                .withMaxBatchSize(Integer.parseInt(System.getProperty("batch", "256")))
                .withReconnectBackoffInitial(Duration.ofMillis(200))
                .withOnSlotLoss(io.drasi.source.postgres.SlotLossPolicy.find(System.getProperty("onSlotLoss", "fail"))
                        .orElseThrow())
                .build();
        long sinkDelayMs = Long.getLong("sinkDelayMs", 0);
        if ("count".equals(args[8])) {
            java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
            PostgresReplicationSource source = new PostgresReplicationSource("fault", config);
            source.start(batch -> n.addAndGet(batch.size()));
            System.out.println("STREAMING");
            while (!source.state().isTerminal()) {
                Thread.sleep(200);
                System.out.println("COUNT " + n.get() + " heapUsedMb="
                        + (Runtime.getRuntime().totalMemory()
                                        - Runtime.getRuntime().freeMemory())
                                / 1_048_576);
            }
            return;
        }
        Writer out = new OutputStreamWriter(new FileOutputStream(args[8], true), StandardCharsets.UTF_8);
        endTornLine(Path.of(args[8]), out);
        ChangeSink sink = (List<PositionedChange> batch) -> {
            StringBuilder sb = new StringBuilder(batch.size() * 160);
            for (PositionedChange c : batch) {
                sb.append(c.position())
                        .append('\t')
                        .append(SeedJson.encode(c.change()))
                        .append('\n');
            }
            out.write(sb.toString());
            out.flush();
            if (sinkDelayMs > 0) {
                Thread.sleep(sinkDelayMs); // a slow consumer, so that a kill lands inside a resync
            }
        };
        PostgresReplicationSource source = new PostgresReplicationSource("fault", config);
        Runtime.getRuntime().addShutdownHook(new Thread(source::close));
        source.startWithBootstrap(sink, p -> {});
        System.err.println("STREAMING");
        while (!source.state().isTerminal()) {
            Thread.sleep(100);
        }
        System.err.println("ENDED " + source.state() + " "
                + source.failure().map(Throwable::getMessage).orElse(""));
    }

    /**
     * A SIGKILL can tear the previous child's last line (a batch goes out in several write calls). Ends it, so
     * this child's first line stands on its own: a re-bootstrap's first line ({@code 0/0:0/0:0}) glued to a torn
     * line was skipped with it by {@link FaultLog}, which then kept the stale state (seen once in a loaded full run: 27
     * rows "lost").
     */
    private static void endTornLine(Path file, Writer out) throws java.io.IOException {
        long size = Files.size(file);
        if (size == 0) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(size - 1);
            if (f.read() != '\n') {
                out.write('\n');
                out.flush();
            }
        }
    }
}

package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * {@code drasi-pg stream}'s sink: every change as one line on stdout. While streaming it is pipelined
 * ({@link ChangeSink#acceptAsync}): the batches are encoded and written in order on one {@code drasi-pg-stdout}
 * thread while the source maps the next batch, and a batch's stage completes only after its bytes were handed to
 * stdout ({@code write(2)} returned) — the source acknowledges it (saves its position) only then. The first
 * bootstrap's rows come through {@link #accept}, written on the caller's thread.
 *
 * <p>Thread-safety: {@code accept}/{@code acceptAsync} from one thread at a time (the {@link ChangeSink} contract);
 * {@link #failure()} and {@link #close()} from any thread.
 */
final class StdoutSink implements ChangeSink, AutoCloseable {

    private final OutputFormat format;
    private final String db;
    private final LongConsumer printed;
    private final AtomicLong truncatesSkipped = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "drasi-pg-stdout");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param format  the line format
     * @param db      the database name (platform format)
     * @param printed told the size of every batch once it is written
     */
    StdoutSink(OutputFormat format, String db, LongConsumer printed) {
        this.format = format;
        this.db = db;
        this.printed = printed;
    }

    @Override
    public void accept(List<PositionedChange> batch) {
        write(batch);
    }

    @Override
    public CompletionStage<Void> acceptAsync(List<PositionedChange> batch) {
        return CompletableFuture.runAsync(() -> write(batch), writer);
    }

    private void write(List<PositionedChange> batch) {
        try {
            synchronized (Stdout.lock()) {
                for (PositionedChange pc : batch) {
                    if (!Stdout.change(format, pc.change(), pc.position().lsn().asLong(), db)) {
                        truncatesSkipped.incrementAndGet();
                        System.err.println("drasi-pg stream: TRUNCATE at "
                                + pc.position().lsn() + " has no " + format + " form; use --format seed to receive it");
                    }
                }
                Stdout.flush(); // written before the batch is acknowledged
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            throw e;
        }
        printed.accept(batch.size());
    }

    /** @return TRUNCATEs not printed because the format has no form for them */
    long truncatesSkipped() {
        return truncatesSkipped.get();
    }

    /** @return why writing stopped (e.g. stdout closed), if it did */
    Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Waits (up to 10 s) for the batches handed over so far to be written, then ends the writer thread. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

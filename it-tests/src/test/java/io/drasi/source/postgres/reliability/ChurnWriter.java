package io.drasi.source.postgres.reliability;

import io.drasi.source.postgres.testing.PostgresServer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/** A thread that runs the statements {@code round.apply(i)} for i = 1, 2, ... until {@link #stop()}. */
final class ChurnWriter {

    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private final Thread thread;

    private ChurnWriter(PostgresServer db, IntFunction<String[]> round, long pauseMs) {
        thread = new Thread(
                () -> {
                    try {
                        for (int i = 1; writing.get(); i++) {
                            db.execute(round.apply(i));
                            if (pauseMs > 0) {
                                Thread.sleep(pauseMs);
                            }
                        }
                    } catch (Throwable t) {
                        error.set(t);
                    }
                },
                "churn-writer");
    }

    /** Starts writing: round {@code i} runs {@code round.apply(i)}, then pauses {@code pauseMs}. */
    static ChurnWriter start(PostgresServer db, IntFunction<String[]> round, long pauseMs) {
        ChurnWriter w = new ChurnWriter(db, round, pauseMs);
        w.thread.start();
        return w;
    }

    /** Stops, waits for the thread, and rethrows what failed it. */
    void stop() throws InterruptedException {
        writing.set(false);
        thread.join();
        if (error.get() != null) {
            throw new AssertionError("the writer failed", error.get());
        }
    }
}

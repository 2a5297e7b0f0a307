package io.drasi.source.postgres.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.sdk.ChangePublisher;
import io.drasi.source.sdk.StateStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a {@link PostgresChangeMonitor} the way the SDK's Reactivator does: {@code run} on its own thread. */
final class MonitorRun implements AutoCloseable {

    final PostgresChangeMonitor monitor;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    MonitorRun(PostgresChangeMonitor monitor, ChangePublisher publisher, StateStore store) throws InterruptedException {
        this.monitor = monitor;
        Thread t = new Thread(
                () -> {
                    try {
                        monitor.run(publisher, store);
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                },
                "test-reactivator");
        t.setDaemon(true);
        t.start();
        assertThat(monitor.awaitStreaming(Duration.ofSeconds(60)))
                .as("streaming")
                .isTrue();
    }

    /** Waits for {@code run} to end by itself (a failure); returns its exception. */
    Throwable awaitFailure() throws Exception {
        try {
            done.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("run() returned normally");
    }

    @Override
    public void close() throws Exception {
        monitor.close();
        try {
            done.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // a failed run already ended; the test asserts on it where it matters
        }
    }
}

package io.drasi.source.postgres.platform;

import io.drasi.source.sdk.ChangePublisher;
import io.drasi.source.sdk.models.SourceChange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The SDK's {@link ChangePublisher} in memory: does what the SDK's Dapr publisher does before sending
 * (stamps {@code reactivatorEnd_ns}, serialises with {@link SourceChange#toJson()}) and keeps the JSON.
 * Optionally refuses one change (a crash stand-in) the first time {@code failOn} matches its JSON.
 */
final class RecordingPublisher implements ChangePublisher {

    private final List<String> published = new ArrayList<>();
    private final Predicate<String> failOn;
    private boolean failed;

    RecordingPublisher() {
        this(json -> false);
    }

    RecordingPublisher(Predicate<String> failOn) {
        this.failOn = failOn;
    }

    @Override
    public synchronized void Publish(SourceChange change) {
        Instant now = Instant.now();
        change.setReactivatorEndTsNs(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        String json = change.toJson();
        if (!failed && failOn.test(json)) {
            failed = true;
            throw new IllegalStateException("publisher down (test)");
        }
        published.add(json);
        notifyAll();
    }

    synchronized List<String> published() {
        return List.copyOf(published);
    }

    /** Waits until at least {@code n} changes were published; returns all of them. */
    synchronized List<String> await(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (published.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(
                        "expected " + n + " published changes, got " + published.size() + ": " + published);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(published);
    }

    @Override
    public void close() {}
}

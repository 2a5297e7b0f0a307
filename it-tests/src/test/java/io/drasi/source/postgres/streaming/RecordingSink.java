package io.drasi.source.postgres.streaming;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.model.SourceChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A sink that records every acknowledged change; tests wait on it. */
public final class RecordingSink implements ChangeSink {

    private final List<PositionedChange> changes = new ArrayList<>();
    private final List<Integer> batchSizes = new ArrayList<>();
    private volatile Predicate<List<PositionedChange>> refuse = b -> false;

    @Override
    public synchronized void accept(List<PositionedChange> batch) {
        if (refuse.test(batch)) {
            throw new IllegalStateException("sink refuses this batch (test)");
        }
        changes.addAll(batch);
        batchSizes.add(batch.size());
        notifyAll();
    }

    public void refuseWhen(Predicate<List<PositionedChange>> p) {
        this.refuse = p;
    }

    public synchronized List<PositionedChange> positioned() {
        return List.copyOf(changes);
    }

    public synchronized List<SourceChange> changes() {
        return changes.stream().map(PositionedChange::change).toList();
    }

    public synchronized int size() {
        return changes.size();
    }

    /** Waits until at least {@code n} changes arrived, failing with what arrived after {@code timeout}. */
    public synchronized List<SourceChange> await(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (changes.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(
                        "expected " + n + " changes within " + timeout + ", got " + changes.size() + ": " + changes());
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return changes();
    }

    /** Asserts that no further change arrives within {@code quiet}. */
    public synchronized void assertNoMoreThan(int n, Duration quiet) throws InterruptedException {
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < deadline) {
            wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        if (changes.size() > n) {
            throw new AssertionError("expected at most " + n + " changes, got " + changes.size() + ": " + changes());
        }
    }
}

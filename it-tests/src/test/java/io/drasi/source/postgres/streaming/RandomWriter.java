package io.drasi.source.postgres.streaming;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread that writes random changes to a table keyed by an int {@code id} until stopped: each step picks what
 * to do with a random generator, a random id among those handed out so far ({@link Keys#any}) and fresh ids for
 * inserts ({@link Keys#fresh}). The tests say what a step writes; this class owns the thread, the ids and the
 * stop.
 */
final class RandomWriter implements AutoCloseable {

    /** One write. */
    @FunctionalInterface
    interface Step {
        void write(ThreadLocalRandom random, Keys keys);
    }

    /** The ids of the table: 1 up to (not including) the next fresh id. Used by the writer thread only. */
    static final class Keys {
        private int next;

        private Keys(int next) {
            this.next = next;
        }

        /** @return an id not handed out before */
        int fresh() {
            return next++;
        }

        /** @return a random id in 1 up to the last one handed out (the row may have been deleted) */
        int any() {
            return ThreadLocalRandom.current().nextInt(1, next);
        }
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger steps = new AtomicInteger();
    private final Thread thread;

    /**
     * @param name    the thread's name
     * @param firstId the first fresh id (one past the rows already in the table)
     * @param step    one write; called again and again until {@link #stop()}
     */
    RandomWriter(String name, int firstId, Step step) {
        Keys keys = new Keys(firstId);
        this.thread = new Thread(
                () -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        step.write(random, keys);
                        steps.incrementAndGet();
                    }
                },
                name);
    }

    /** Starts writing. */
    void start() {
        thread.start();
    }

    /** Stops writing and waits until the last write returned; again is a no-op. */
    void stop() throws InterruptedException {
        stop.set(true);
        if (thread.isAlive()) {
            thread.join();
        }
    }

    /** @return how many writes were done */
    int steps() {
        return steps.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}

package io.drasi.source.postgres.engine;

import io.debezium.engine.DebeziumEngine;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: not an API, may change in any release. Runs the embedded engine's per-record processing on the polling
 * thread instead of handing it to the engine's record thread pool (issue 19).
 *
 * <p>Debezium's async engine submits each polled record to its record pool (SMTs and the Connect-format wrapper)
 * and has the polling thread wait for the future. The adapter's engine configures no SMT and hands over one
 * {@link PolledBatch} per poll, so that hand-off is two thread wake-ups per poll for a few allocations: at one
 * transaction a second it is a measurable part of the commit → sink latency. {@link #install} replaces the engine's
 * record pool (a {@code final} field of {@code AsyncEmbeddedEngine}, Debezium offers no seam) with an executor that
 * runs each task in the thread that submits it; the engine's record processors then find every future done. The
 * original pool has not started a thread yet (it starts them on the first task) and is shut down.
 *
 * <p>If the field is missing (another Debezium version, another engine) nothing changes and one DEBUG line says so:
 * the engine keeps its one record thread ({@code record.processing.threads=1}). {@code InlineRecordProcessingTest}
 * fails on such an upgrade.
 *
 * <p>Thread-safety: {@link #install} is called once, before the engine runs. The executor is used by the engine's
 * polling thread and closed by the thread that stops the engine.
 */
public final class InlineRecordProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(InlineRecordProcessing.class);
    private static final String ENGINE = "io.debezium.embedded.async.AsyncEmbeddedEngine";

    private InlineRecordProcessing() {}

    /**
     * Makes {@code engine} process records on its polling thread; call it after {@code build()}, before the engine
     * runs.
     *
     * @param engine the built engine; never null
     * @return true when installed; false when {@code engine} is not Debezium's async engine as expected
     */
    public static boolean install(DebeziumEngine<?> engine) {
        try {
            Class<?> type = engine.getClass();
            if (!ENGINE.equals(type.getName())) {
                LOG.debug("records keep the engine's record thread: the engine is a {}", type.getName());
                return false;
            }
            Field field = CheapEventSummary.field(type, "recordService");
            Object current = field.get(engine);
            if (current instanceof CallerRuns) {
                return true;
            }
            if (!(current instanceof ExecutorService pool)) {
                LOG.debug("records keep the engine's record thread: its record service is {}", current);
                return false;
            }
            field.set(engine, new CallerRuns());
            pool.shutdown(); // never ran a task: no thread to end
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("records keep the engine's record thread (this Debezium version differs): {}", e.toString());
            return false;
        }
    }

    /**
     * An executor that runs every task in the calling thread. Shut down, it refuses new tasks, and it terminates once
     * the tasks running in their callers have returned.
     */
    static final class CallerRuns extends AbstractExecutorService {

        private final Object lock = new Object();
        private boolean shutdown; // guarded by lock
        private int running; // guarded by lock

        @Override
        public void execute(Runnable command) {
            synchronized (lock) {
                if (shutdown) {
                    throw new RejectedExecutionException("the engine's record processing stopped");
                }
                running++;
            }
            try {
                command.run();
            } finally {
                synchronized (lock) {
                    running--;
                    lock.notifyAll();
                }
            }
        }

        @Override
        public void shutdown() {
            synchronized (lock) {
                shutdown = true;
            }
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown();
            return List.of(); // nothing is ever queued
        }

        @Override
        public boolean isShutdown() {
            synchronized (lock) {
                return shutdown;
            }
        }

        @Override
        public boolean isTerminated() {
            synchronized (lock) {
                return shutdown && running == 0;
            }
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            synchronized (lock) {
                while (!(shutdown && running == 0)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
                return true;
            }
        }
    }
}

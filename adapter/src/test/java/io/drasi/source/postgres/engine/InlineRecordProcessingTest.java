package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.lang.reflect.Field;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class InlineRecordProcessingTest {

    /** Fails when a Debezium upgrade renames the engine's record pool: the hand-off would silently come back. */
    @Test
    void install_debeziumsAsyncEngine_recordTasksRunOnTheSubmittingThread() throws Exception {
        try (DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(
                        ChangeEventFormat.of(Connect.class))
                .using(engineProperties())
                .notifying((records, committer) -> {})
                .build()) {
            assertThat(InlineRecordProcessing.install(engine)).isTrue();
            assertThat(InlineRecordProcessing.install(engine)).as("idempotent").isTrue();

            ExecutorService records = recordService(engine);
            assertThat(records).isInstanceOf(InlineRecordProcessing.CallerRuns.class);
            Future<String> ran = records.submit(() -> Thread.currentThread().getName());
            assertThat(ran.isDone()).isTrue();
            assertThat(ran.get()).isEqualTo(Thread.currentThread().getName());
        }
    }

    @Test
    void install_otherEngine_falseAndNothingChanged() {
        DebeziumEngine<Object> other = new DebeziumEngine<>() {
            @Override
            public void run() {}

            @Override
            public void close() {}
        };
        assertThat(InlineRecordProcessing.install(other)).isFalse();
    }

    @Test
    void callerRuns_shutdown_refusesNewTasksAndTerminatesOnceRunningTasksReturned() throws Exception {
        InlineRecordProcessing.CallerRuns executor = new InlineRecordProcessing.CallerRuns();
        java.util.concurrent.CountDownLatch inTask = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread caller = new Thread(() -> executor.execute(() -> {
            inTask.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        caller.start();
        assertThat(inTask.await(10, TimeUnit.SECONDS)).isTrue();

        executor.shutdown();
        assertThat(executor.isShutdown()).isTrue();
        assertThat(executor.isTerminated())
                .as("a task still runs in its caller")
                .isFalse();
        assertThat(executor.awaitTermination(50, TimeUnit.MILLISECONDS)).isFalse();
        assertThatThrownBy(() -> executor.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);

        release.countDown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(executor.shutdownNow()).isEmpty();
        caller.join();
    }

    private static ExecutorService recordService(Object engine) throws ReflectiveOperationException {
        Field f = engine.getClass().getDeclaredField("recordService");
        f.setAccessible(true);
        return (ExecutorService) f.get(engine);
    }

    private static Properties engineProperties() {
        Properties p = new Properties();
        p.setProperty("name", "inline-record-processing-test");
        p.setProperty("connector.class", WakeOnDataPostgresConnector.class.getName());
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("topic.prefix", "t");
        p.setProperty("record.processing.threads", "1");
        return p;
    }
}

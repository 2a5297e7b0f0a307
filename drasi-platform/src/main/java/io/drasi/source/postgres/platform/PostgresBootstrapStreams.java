package io.drasi.source.postgres.platform;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.bootstrap.BootstrapProgress;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.sdk.BootstrapStream;
import io.drasi.source.sdk.models.BootstrapRequest;
import io.drasi.source.sdk.models.SourceElement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source proxy's stream function: one {@link BootstrapStream} per {@code POST /acquire-stream}.
 *
 * <p>Each stream reads a consistent snapshot of the tables whose names are among the requested node
 * labels ({@link PostgresReplicationSource#bootstrap}, through a temporary replication slot) on its own
 * thread, handing rows to {@link BootstrapStream#next()} through a bounded queue: the whole snapshot is
 * never held in memory, and the database read waits while the HTTP response is slow.
 *
 * <p>{@link BootstrapStream#validate()} reports, as HTTP 400 through the SDK: node labels that name no
 * configured table, relation labels (this source has no relations), and anything that stops the
 * snapshot before its first row (connection refused, missing table, no free replication slot...). A
 * request without node labels yields an empty stream.
 *
 * <p>When the consumer goes away mid-stream, {@link BootstrapStream#close()} stops the read: the SDK calls it
 * when writing to the HTTP response fails (the client disconnected) and after the last row. {@code close()}
 * cancels the running {@code COPY} on the server (through {@link PostgresReplicationSource#close()}), drops
 * the temporary slot and closes the connections, and returns when that is done (normally within
 * milliseconds; at most about 10 s while the server does not answer). A stream that is neither drained nor
 * closed keeps its read (and slot) until the process ends: always close it.
 *
 * <p>Thread-safety: the function may be called concurrently; each stream is used by one thread at a time,
 * except {@link BootstrapStream#close()}, which may be called from any thread, also while {@code next()} waits.
 */
public final class PostgresBootstrapStreams implements Function<BootstrapRequest, BootstrapStream> {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBootstrapStreams.class);
    private static final Pattern LAST_QUOTED = Pattern.compile("\"((?:[^\"]|\"\")*)\"$");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String sourceId;
    private final PostgresSourceConfig config;
    private final int queueCapacity;
    private final Set<String> labels;

    /**
     * @param sourceId      the Drasi source id; never null
     * @param config        the source configuration; never null
     * @param queueCapacity rows buffered between the reader thread and the HTTP response (at least 1)
     */
    public PostgresBootstrapStreams(String sourceId, PostgresSourceConfig config, int queueCapacity) {
        this.sourceId = Objects.requireNonNull(sourceId, "sourceId");
        this.config = Objects.requireNonNull(config, "config");
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be at least 1");
        }
        this.queueCapacity = queueCapacity;
        this.labels = configuredLabels(config);
    }

    /** @return the labels this source serves: the configured tables' names */
    public Set<String> labels() {
        return labels;
    }

    @Override
    public BootstrapStream apply(BootstrapRequest request) {
        Set<String> nodeLabels = request.getNodeLabels() == null ? Set.of() : request.getNodeLabels();
        Set<String> relLabels = request.getRelLabels() == null ? Set.of() : request.getRelLabels();
        List<String> problems = new ArrayList<>();
        for (String l : new TreeSet<>(nodeLabels)) {
            if (!labels.contains(l)) {
                problems.add("unknown node label '" + l + "': source " + sourceId + " serves " + labels
                        + " (one label per configured table)");
            }
        }
        for (String l : new TreeSet<>(relLabels)) {
            problems.add("unknown relation label '" + l + "': source " + sourceId + " has no relations");
        }
        LOG.info("source {}: bootstrap requested for nodes {} relations {}", sourceId, nodeLabels, relLabels);
        return new QueuedStream(Set.copyOf(nodeLabels), problems);
    }

    static Set<String> configuredLabels(PostgresSourceConfig config) {
        Set<String> out = new LinkedHashSet<>();
        for (String q : config.qualifiedTables()) {
            Matcher m = LAST_QUOTED.matcher(q);
            out.add(m.find() ? m.group(1).replace("\"\"", "\"") : q);
        }
        return Set.copyOf(out);
    }

    /** Rows, then END or a failure, through a bounded queue filled by a reader thread. */
    private final class QueuedStream implements BootstrapStream {
        private static final Object END = new Object();

        private final Set<String> requested;
        private final List<String> problems;
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(queueCapacity);
        private final CountDownLatch firstTableStarted = new CountDownLatch(1);
        private volatile boolean cancelled;
        private volatile RuntimeException failure;
        private Thread reader;
        /** The source whose bootstrap the reader runs; closing it cancels the read. Guarded by {@code this}. */
        private PostgresReplicationSource source;

        private boolean ended;

        QueuedStream(Set<String> requested, List<String> problems) {
            this.requested = requested;
            this.problems = problems;
        }

        @Override
        public List<String> validate() {
            if (!problems.isEmpty()) {
                return List.copyOf(problems);
            }
            startReader();
            try {
                firstTableStarted.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of("interrupted while starting the bootstrap");
            }
            RuntimeException f = failure;
            return f == null ? List.of() : List.of("bootstrap of " + requested + " failed: " + f.getMessage());
        }

        @Override
        public SourceElement next() {
            if (ended || cancelled) {
                return null;
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("invalid bootstrap request: " + problems);
            }
            startReader();
            Object item;
            try {
                do {
                    item = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (cancelled) {
                        return null; // closed from another thread while waiting
                    }
                } while (item == null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            }
            if (item == END) {
                ended = true;
                RuntimeException f = failure;
                if (f != null) {
                    throw new IllegalStateException("bootstrap of " + requested + " failed: " + f.getMessage(), f);
                }
                return null;
            }
            return (SourceElement) item;
        }

        private synchronized void startReader() {
            if (reader != null) {
                return;
            }
            if (cancelled) {
                firstTableStarted.countDown();
                reader = Thread.currentThread(); // closed before it started: nothing to read
                return;
            }
            if (requested.isEmpty()) {
                firstTableStarted.countDown();
                queue.add(END);
                reader = Thread.currentThread(); // nothing to read
                return;
            }
            reader = new Thread(this::read, "drasi-pg-" + sourceId + "-bootstrap-" + THREADS.incrementAndGet());
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            long rows = 0;
            PostgresReplicationSource source = null;
            try {
                source = new PostgresReplicationSource(sourceId, config);
                synchronized (this) {
                    this.source = source;
                    if (cancelled) {
                        throw new CancellationException("bootstrap stream closed before the read started");
                    }
                }
                BootstrapProgress progress = p -> {
                    firstTableStarted.countDown();
                    if (p.phase() == BootstrapProgress.Phase.FINISHED) {
                        LOG.info("source {}: bootstrap {}", sourceId, p);
                    }
                };
                rows = source.bootstrap(
                                requested,
                                new io.drasi.source.postgres.bootstrap.BootstrapSink() {
                                    @Override
                                    public void accept(SourceChange.Insert insert) {
                                        offer(insert);
                                    }

                                    @Override
                                    public void acceptRelation(SourceChange.RelationInsert relation) {
                                        putQuietly(SdkModels.toElement(relation));
                                    }
                                },
                                progress)
                        .totalRows();
                LOG.info("source {}: bootstrap of {} delivered {} rows", sourceId, requested, rows);
            } catch (RuntimeException e) {
                if (cancelled) { // whatever the cancel made the read throw (cancelled COPY, closed source...)
                    LOG.info("source {}: bootstrap of {} stopped: the client closed the stream", sourceId, requested);
                    LOG.debug("source {}: the cancelled bootstrap ended with {}", sourceId, e.toString());
                } else {
                    failure = e;
                    LOG.error("source {}: bootstrap of {} failed: {}", sourceId, requested, e.getMessage());
                }
            } finally {
                if (source != null) {
                    source.close(); // idempotent; nothing is left to release after a finished bootstrap
                }
                firstTableStarted.countDown();
                if (!cancelled) {
                    putQuietly(END);
                }
            }
        }

        private void offer(SourceChange.Insert insert) {
            putQuietly(SdkModels.toElement(insert));
        }

        private void putQuietly(Object item) {
            try {
                while (!queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    if (cancelled) {
                        throw new CancellationException("bootstrap stream closed");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            }
        }

        /**
         * Stops the read if it still runs: cancels its COPY on the server, drops its temporary slot, closes its
         * connections; returns when that is done. Idempotent, safe from any thread; a later {@code next()}
         * returns null.
         */
        @Override
        public void close() {
            PostgresReplicationSource s;
            synchronized (this) {
                cancelled = true;
                s = source;
            }
            queue.clear(); // unblocks a reader waiting to put
            if (s != null) {
                long t0 = System.nanoTime();
                s.close(); // cancels the running bootstrap and waits until it has released everything
                LOG.debug(
                        "source {}: bootstrap stream of {} closed in {} ms",
                        sourceId,
                        requested,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
        }
    }
}

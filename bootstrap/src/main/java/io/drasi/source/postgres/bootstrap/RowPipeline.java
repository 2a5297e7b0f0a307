package io.drasi.source.postgres.bootstrap;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link TableReader} on a helper thread and hands its rows, in order and in small batches
 * through a bounded queue, to the calling thread. Reading/parsing the COPY stream then overlaps with
 * value conversion and the sink on the caller's thread (measured: the read alone is ~2x faster than
 * conversion). Memory stays bounded by {@code depth * batchSize} rows; when the caller is slow the
 * reader blocks, and so does the server-side COPY (TCP backpressure).
 *
 * <p>Not reusable; one instance per table read. The connection is used only by the helper thread while
 * {@link #run} is active.
 */
final class RowPipeline {

    private static final Object END = new Object();

    private record Failure(Throwable error) {}

    /** Thrown inside the reader thread to abort the COPY when the consumer gave up. */
    private static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super(null, null, false, false);
        }
    }

    private final int batchSize;
    private final BlockingQueue<Object> queue;
    private volatile boolean cancelled;

    RowPipeline(int batchSize, int depth) {
        this.batchSize = batchSize;
        this.queue = new ArrayBlockingQueue<>(depth);
    }

    /**
     * @param reader   the reader (its connection is used by the helper thread only)
     * @param table    table to read
     * @param columns  columns to read
     * @param consumer called on the CALLING thread for every row, in order; its RuntimeException
     *                 cancels the read and is rethrown
     * @return rows delivered
     * @throws SQLException as the reader throws it
     */
    long run(TableReader reader, TableDescription table, List<String> columns, TableReader.RowVisitor consumer)
            throws SQLException {
        Thread producer = new Thread(() -> produce(reader, table, columns), "drasi-bootstrap-reader-" + table.table());
        producer.setDaemon(true);
        producer.start();
        long rows = 0;
        boolean finished = false;
        try {
            while (true) {
                Object item = queue.take();
                if (item == END) {
                    finished = true;
                    return rows;
                }
                if (item instanceof Failure f) {
                    finished = true;
                    Throwable e = f.error();
                    if (e instanceof SQLException sql) {
                        throw sql;
                    }
                    if (e instanceof RuntimeException re) {
                        throw re;
                    }
                    if (e instanceof Error err) {
                        throw err;
                    }
                    throw new BootstrapException("reading " + table.table() + " failed: " + e, e);
                }
                String[][] batch = (String[][]) item;
                for (String[] row : batch) {
                    if (row == null) {
                        break;
                    }
                    consumer.row(row);
                    rows++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BootstrapException("bootstrap of " + table.table() + " interrupted after " + rows + " rows", e);
        } finally {
            if (!finished) {
                cancelled = true;
            }
            awaitProducer(producer);
        }
    }

    private void produce(TableReader reader, TableDescription table, List<String> columns) {
        String[][][] batch = {new String[batchSize][]};
        int[] n = {0};
        try {
            reader.read(table, columns, row -> {
                batch[0][n[0]++] = row;
                if (n[0] == batchSize) {
                    put(batch[0]);
                    batch[0] = new String[batchSize][];
                    n[0] = 0;
                }
            });
            if (n[0] > 0) {
                put(batch[0]);
            }
            put(END);
        } catch (Cancelled c) {
            // consumer gave up; nothing to report
        } catch (Throwable t) {
            try {
                put(new Failure(t));
            } catch (Cancelled c) {
                // consumer gave up
            }
        }
    }

    private void put(Object item) {
        try {
            do {
                if (cancelled) { // checked first: while it waits for this thread, the consumer empties the queue
                    throw new Cancelled();
                }
            } while (!queue.offer(item, 50, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cancelled();
        }
    }

    private void awaitProducer(Thread producer) {
        boolean interrupted = false;
        while (producer.isAlive()) {
            queue.clear();
            try {
                producer.join(50);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

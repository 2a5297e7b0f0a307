package io.drasi.source.postgres.engine;

import io.debezium.engine.RecordChangeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One poll's records travelling through Debezium's embedded engine as a single record (issue 19).
 *
 * <p>Debezium's async engine hands every polled record to its record thread pool as a task of its own and waits
 * for its future, even when no transformation is configured; with Connect format every record is then wrapped in a
 * change event (a stream over its headers) and, once acknowledged, marked processed one by one. The adapter's engine
 * configures no transformation (the {@code debezium_properties} allow-list admits none), so all of that is work
 * without a purpose. {@link WakeOnDataPostgresTask} returns a poll of more than one record as one {@code
 * PolledBatch} when {@link #PROPERTY} is set (only {@link DebeziumProperties} sets it, for the adapter's own engine,
 * whose consumer is {@link BatchHandler}); {@link BatchHandler} takes the records out again ({@link #records(List)}).
 *
 * <p>Its source partition and offset are those of the last record it holds, so marking it processed writes
 * exactly the offset that marking every record in order would have written last (all records of the task share
 * one partition). Topic: the last record's; no key, no value, no headers.
 *
 * <p>Thread-safety: immutable. Nullability: never holds null records.
 */
final class PolledBatch extends SourceRecord {

    /** Engine property: {@code true} makes {@link WakeOnDataPostgresTask} return a poll as one record. */
    static final String PROPERTY = "drasi.poll.as.one.record";

    private final List<SourceRecord> records;

    /** @param records two or more records of one poll, in order; copied */
    PolledBatch(List<SourceRecord> records) {
        this(List.copyOf(records), records.get(records.size() - 1));
    }

    private PolledBatch(List<SourceRecord> records, SourceRecord last) {
        super(last.sourcePartition(), last.sourceOffset(), last.topic(), null, null, null);
        this.records = records;
    }

    /** @return the poll's records, in order; unmodifiable */
    List<SourceRecord> records() {
        return records;
    }

    /**
     * @param events a batch the engine handed to its consumer; never null
     * @return the source records in order, with every {@code PolledBatch} replaced by the records it holds
     */
    static List<SourceRecord> records(List<RecordChangeEvent<SourceRecord>> events) {
        if (events.size() == 1 && events.get(0).record() instanceof PolledBatch b) {
            return b.records; // the usual case: one poll, one engine record
        }
        List<SourceRecord> out = new ArrayList<>(events.size());
        for (RecordChangeEvent<SourceRecord> e : events) {
            if (e.record() instanceof PolledBatch b) {
                out.addAll(b.records);
            } else {
                out.add(e.record());
            }
        }
        return out;
    }

    /**
     * @param polled records returned by a poll; never null
     * @return {@code polled} itself when it holds fewer than two records, else a list of one {@code PolledBatch}
     */
    static List<SourceRecord> asOne(List<SourceRecord> polled) {
        return polled.size() < 2 ? polled : List.of(new PolledBatch(polled));
    }

    /** @return the records themselves when {@code polled} is one {@code PolledBatch}, else {@code polled} */
    static List<SourceRecord> unwrap(List<SourceRecord> polled) {
        return polled.size() == 1 && polled.get(0) instanceof PolledBatch b ? b.records : polled;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolledBatch b && records.equals(b.records);
    }

    @Override
    public int hashCode() {
        return Objects.hash(PolledBatch.class, records);
    }

    @Override
    public String toString() {
        return "PolledBatch{" + records.size() + " records, last offset " + sourceOffset() + "}";
    }
}

package io.drasi.source.postgres.kafka;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.MappedRecord;
import io.drasi.source.postgres.mapping.MappingException;
import io.drasi.source.postgres.mapping.json.HostPushJson;
import io.drasi.source.postgres.mapping.json.PlatformWireJson;
import io.drasi.source.postgres.mapping.json.SeedJson;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.SourceChange;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Kafka Connect Single Message Transform: a Debezium PostgreSQL change record in, a Drasi change out.
 *
 * <p>Nodes only: a Single Message Transform turns one record into at most one record, but a row with a foreign
 * key is a node plus a relation (and a key change even a delete and insert of each), so foreign keys as Drasi
 * relations ({@code foreign_key_relations}) are not offered here; they need the library, the {@code drasi-pg}
 * CLI or the platform bridge.
 *
 * <ul>
 *   <li>Key: the Drasi element id ({@code schema:table:key}, a string; {@link Schema#STRING_SCHEMA}), so
 *       every change of one element lands in one partition of the topic. A TRUNCATE (with
 *       {@code drasi.truncate.handling=emit}) is keyed by the table's id prefix {@code schema:table:}.</li>
 *   <li>Value: the change in seed shape, platform wire shape or as one drasi-server HTTP source event
 *       ({@code drasi.format} {@code seed}, {@code platform}, {@code host}; the host event is written by
 *       {@link HostPushJson}, the same writer as the library's HTTP sink), as JSON text or (seed, platform) as a
 *       Connect Struct ({@code drasi.value.type}, see {@link DrasiStructs}). Topic, partition, timestamp
 *       and headers are kept.</li>
 *   <li>Dropped (returns null): tombstones, heartbeats, transaction BEGIN/END metadata, logical decoding
 *       messages.</li>
 *   <li>Key change: Debezium itself splits an UPDATE that changes its key columns into {@code d} (old
 *       key), tombstone, {@code c} (new key); these become Delete(old id) and Insert(new id), one per
 *       record. A single {@code u} whose old and new Drasi ids differ (possible only when
 *       {@code table.keys} differs from Debezium's key columns) would need two output records, which an
 *       SMT cannot return: it fails with a {@link DataException} telling to set {@code message.key.columns}
 *       to the same columns.</li>
 *   <li>Unchanged TOAST values: never emitted as the placeholder; {@code drasi.unavailable.handling}
 *       fails (default) or omits them (naming them in the {@code drasi.unavailable} header).</li>
 * </ul>
 *
 * <p>Mapping failures are thrown as {@link DataException}, so the connector's {@code errors.tolerance}
 * applies. Thread-safety: {@link #apply} is safe for concurrent use (Debezium Server 3.6 applies transforms
 * to the records of a batch in parallel): the configured state is one immutable object published through a
 * volatile field, the mapper's caches are concurrent and the encoders are stateless. {@link #configure} and
 * {@link #close} are not meant to race with {@code apply}.
 *
 * @param <R> the record type
 */
public class DrasiChangeTransform<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {

    /** Header naming the omitted unchanged-TOAST properties (a JSON array of names). */
    public static final String UNAVAILABLE_HEADER = "drasi.unavailable";

    /** What {@link #configure} sets up, published at once (apply runs on other threads). */
    private record Configured(DrasiTransformConfig config, ChangeMapper mapper) {}

    private volatile Configured configured;

    @Override
    public void configure(Map<String, ?> props) {
        DrasiTransformConfig c = DrasiTransformConfig.parse(props);
        this.configured = new Configured(
                c,
                new ChangeMapper(
                        c.sourceId(),
                        c.tableKeys(),
                        c.decimalAsString()
                                ? new PgValueConverter(PgValueConverter.NumericMode.EXACT_STRING)
                                : PgValueConverter.DEFAULT));
    }

    @Override
    public R apply(R record) {
        Configured state = configured;
        if (state == null) {
            throw new IllegalStateException("DrasiChangeTransform used before configure() (or after close())");
        }
        long startNs = nowNs();
        MappedRecord m;
        try {
            m = state.mapper().map(asSourceRecord(record));
        } catch (MappingException e) {
            throw new DataException(
                    "Drasi mapping failed for a record of topic '" + record.topic() + "': " + e.getMessage(), e);
        }
        switch (m.kind()) {
            case DATA:
                return data(state.config(), record, m, startNs);
            case TRUNCATE:
                return truncate(state.config(), record, m);
            default: // TOMBSTONE, HEARTBEAT, TX_BEGIN, TX_END, MESSAGE
                return null;
        }
    }

    private R data(DrasiTransformConfig config, R record, MappedRecord m, long startNs) {
        List<SourceChange> changes = m.changes();
        if (changes.size() != 1) {
            throw new DataException("an UPDATE of " + m.table() + " changed the Drasi element id ("
                    + id(changes.get(0)) + " -> " + id(changes.get(changes.size() - 1))
                    + ") but Debezium's record key did"
                    + " not change, so the change would need Delete + Insert: two records, which a Kafka Connect "
                    + "transform"
                    + " cannot emit. Set the connector's message.key.columns to the table.keys columns of this table"
                    + " (Debezium then splits key changes into delete + create itself)");
        }
        Headers headers = record.headers().duplicate();
        Set<String> unavailable = m.unavailableProperties();
        if (!unavailable.isEmpty()) {
            if (config.unavailableHandling() == DrasiTransformConfig.UnavailableHandling.FAIL) {
                throw new DataException(
                        "an UPDATE of " + m.table() + " (element " + id(changes.get(0)) + ") did not carry the"
                                + " unchanged TOASTed value of " + unavailable
                                + " (Debezium placeholder); Kafka Connect cannot re-read"
                                + " the row. Run ALTER TABLE " + m.table().toQuotedString()
                                + " REPLICA IDENTITY FULL (then Debezium"
                                + " sends the old value), or set " + DrasiTransformConfig.UNAVAILABLE_HANDLING
                                + "=omit to emit the"
                                + " Update without these properties");
            }
            headers.addString(UNAVAILABLE_HEADER, jsonArray(unavailable));
        }
        SourceChange change = changes.get(0);
        Object value;
        Schema valueSchema;
        if (config.format() == DrasiTransformConfig.Format.HOST) {
            value = HostPushJson.encode(change); // JSON only (checked by DrasiTransformConfig)
            valueSchema = Schema.STRING_SCHEMA;
        } else if (config.format() == DrasiTransformConfig.Format.SEED) {
            if (config.valueType() == DrasiTransformConfig.ValueType.JSON) {
                value = SeedJson.encode(change);
                valueSchema = Schema.STRING_SCHEMA;
            } else {
                value = DrasiStructs.seed(change);
                valueSchema = DrasiStructs.SEED;
            }
        } else {
            long lsn = m.lsn() == null ? 0L : m.lsn();
            String db = database(record);
            if (config.valueType() == DrasiTransformConfig.ValueType.JSON) {
                value = PlatformWireJson.encode(change, lsn, startNs, nowNs(), db);
                valueSchema = Schema.STRING_SCHEMA;
            } else {
                value = DrasiStructs.platform(change, lsn, startNs, nowNs(), db);
                valueSchema = DrasiStructs.PLATFORM;
            }
        }
        return record.newRecord(
                record.topic(),
                record.kafkaPartition(),
                Schema.STRING_SCHEMA,
                id(change),
                valueSchema,
                value,
                record.timestamp(),
                headers);
    }

    private R truncate(DrasiTransformConfig config, R record, MappedRecord m) {
        SourceChange.Truncate t = (SourceChange.Truncate) m.changes().get(0);
        switch (config.truncateHandling()) {
            case DROP:
                return null;
            case EMIT:
                Object value = config.valueType() == DrasiTransformConfig.ValueType.JSON
                        ? SeedJson.encode(t)
                        : DrasiStructs.seed(t);
                Schema schema = config.valueType() == DrasiTransformConfig.ValueType.JSON
                        ? Schema.STRING_SCHEMA
                        : DrasiStructs.SEED;
                return record.newRecord(
                        record.topic(),
                        record.kafkaPartition(),
                        Schema.STRING_SCHEMA,
                        t.elementIdPrefix(),
                        schema,
                        value,
                        record.timestamp(),
                        record.headers().duplicate());
            default:
                throw new DataException("TRUNCATE of " + m.table()
                        + ": Drasi would keep every element of the table. Set "
                        + DrasiTransformConfig.TRUNCATE_HANDLING + "=emit (seed format: a Truncate change keyed '"
                        + t.elementIdPrefix() + "') or =drop, or keep Debezium's default skipped.operations=t and"
                        + " re-bootstrap the source after a TRUNCATE");
        }
    }

    private static String id(SourceChange c) {
        return c.fold(
                i -> i.element().metadata().elementId().value(),
                u -> u.element().metadata().elementId().value(),
                d -> d.metadata().elementId().value(),
                t -> ElementId.prefix(t.tableId()),
                r -> {
                    throw noRelations();
                });
    }

    /**
     * The SMT's mapper is built without foreign keys, so it never meets a relation change; this names the way to
     * relations should one reach it.
     */
    static IllegalArgumentException noRelations() {
        return new IllegalArgumentException("the Kafka Connect SMT maps one record to one change and emits nodes only;"
                + " foreign keys as Drasi relations (foreign_key_relations) need the library, the drasi-pg CLI or the"
                + " platform bridge");
    }

    private static SourceRecord asSourceRecord(ConnectRecord<?> r) {
        if (r instanceof SourceRecord s) {
            return s;
        }
        // e.g. a sink connector reading Debezium's topics: the mapper needs only topic, key, value
        return new SourceRecord(
                null,
                null,
                r.topic(),
                r.kafkaPartition(),
                r.keySchema(),
                r.key(),
                r.valueSchema(),
                r.value(),
                r.timestamp(),
                r.headers());
    }

    private static String database(ConnectRecord<?> r) {
        if (r.value() instanceof Struct envelope && envelope.schema().field("source") != null) {
            Struct source = envelope.getStruct("source");
            if (source != null && source.schema().field("db") != null && source.getString("db") != null) {
                return source.getString("db");
            }
        }
        return "";
    }

    private static String jsonArray(Set<String> names) {
        StringBuilder sb = new StringBuilder("[");
        for (String n : names) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"')
                    .append(JsonStringEncoder.getInstance().quoteAsString(n))
                    .append('"');
        }
        return sb.append(']').toString();
    }

    private static long nowNs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public ConfigDef config() {
        return DrasiTransformConfig.CONFIG_DEF;
    }

    @Override
    public void close() {
        configured = null;
    }

    @Override
    public String version() {
        String v = DrasiChangeTransform.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}

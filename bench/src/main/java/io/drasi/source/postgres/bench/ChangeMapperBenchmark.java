package io.drasi.source.postgres.bench;

import io.debezium.data.Uuid;
import io.debezium.time.ZonedTimestamp;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.DebeziumFixtures;
import io.drasi.source.postgres.mapping.MappedRecord;
import io.drasi.source.postgres.mapping.TableKeys;
import io.drasi.source.postgres.mapping.json.SeedJson;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.SourceChange;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of the streaming hot path: one realistic 10-column Debezium insert record (Connect
 * format, as the embedded engine delivers it) mapped to a Drasi Insert, with and without seed-JSON
 * encoding. Single-threaded, so ops/s = records/s per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class ChangeMapperBenchmark {

    private ChangeMapper mapper;
    private SourceRecord record;

    /**
     * Builds the record once with the mapping tests' {@link DebeziumFixtures} (Debezium's and Kafka Connect's own
     * schema classes, shaped like the PostgreSQL connector's output).
     */
    @Setup
    public void setup() {
        Schema row = DebeziumFixtures.rowBuilder("public", "customers")
                .field("id", Schema.INT64_SCHEMA)
                .field("name", Schema.OPTIONAL_STRING_SCHEMA)
                .field("email", Schema.OPTIONAL_STRING_SCHEMA)
                .field("age", Schema.OPTIONAL_INT32_SCHEMA)
                .field("balance", Decimal.builder(2).optional().build())
                .field("active", Schema.OPTIONAL_BOOLEAN_SCHEMA)
                .field("created_at", ZonedTimestamp.builder().optional().build())
                .field("birth_date", io.debezium.time.Date.builder().optional().build())
                .field("score", Schema.OPTIONAL_FLOAT64_SCHEMA)
                .field("external_id", Uuid.builder().optional().build())
                .build();
        DebeziumFixtures.Table customers = DebeziumFixtures.table("public", "customers", row, "id");
        record = customers.insert(customers.row(
                "id",
                1_234_567L,
                "name",
                "Alice Example",
                "email",
                "alice@example.com",
                "age",
                34,
                "balance",
                new BigDecimal("1042.50"),
                "active",
                true,
                "created_at",
                "2024-03-05T10:15:30.123456Z",
                "birth_date",
                (int) LocalDate.of(1990, 7, 14).toEpochDay(),
                "score",
                87.25,
                "external_id",
                "6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f"));
        mapper = new ChangeMapper("pg-source", TableKeys.none(), PgValueConverter.DEFAULT);
    }

    /** @return the mapping of one record */
    @Benchmark
    public MappedRecord map() {
        return mapper.map(record);
    }

    /** @param bh sink for the JSON */
    @Benchmark
    public void mapAndEncodeSeedJson(Blackhole bh) {
        MappedRecord m = mapper.map(record);
        for (SourceChange c : m.changes()) {
            bh.consume(SeedJson.encode(c));
        }
    }
}

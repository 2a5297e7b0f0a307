package io.drasi.source.postgres.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.mapping.DebeziumFixtures.Table;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class ChangeMapperTest {

    private final ChangeMapper mapper = new ChangeMapper("pg-source", TableKeys.none(), PgValueConverter.DEFAULT);

    private static Schema schema(String table) {
        return DebeziumFixtures.rowBuilder("public", table)
                .field("id", Schema.INT32_SCHEMA)
                .field("email", Schema.OPTIONAL_STRING_SCHEMA)
                .field("body", Schema.OPTIONAL_STRING_SCHEMA)
                .build();
    }

    /** @return a mapper with the key of table users configured as {@code column} */
    private static ChangeMapper usersKeyedBy(String column) {
        return new ChangeMapper("s", TableKeys.of(Map.of("users", List.of(column))), PgValueConverter.DEFAULT);
    }

    @Test
    void transactionEnd_mapsAsDebeziumsEndRecord_txIdCommitTimeAndCommitLsn() {
        Map<String, Object> offset = Map.of("lsn", 0x1A2BFF0L, "txId", 771L, "lsn_commit", 0x1A2BFF0L);
        SourceRecord marker =
                ChangeMapper.transactionEnd(Map.of("server", "pg"), offset, "pg.transaction", 771L, 1_234L);
        MappedRecord m = mapper.map(marker);
        MappedRecord debeziums = mapper.map(DebeziumFixtures.txEnd(771, 0x1A2BFF0L, 1_234L));

        assertThat(m.kind()).isEqualTo(MappedRecord.Kind.TX_END);
        assertThat(m.txId()).isEqualTo(771L).isEqualTo(debeziums.txId());
        assertThat(m.tsMs()).isEqualTo(1_234L).isEqualTo(debeziums.tsMs());
        assertThat(m.commitLsn()).isEqualTo(0x1A2BFF0L).isEqualTo(debeziums.commitLsn());
        assertThat(m.changes()).isEmpty();
        assertThat(marker.sourcePartition()).isEqualTo(Map.of("server", "pg"));
        assertThat(marker.sourceOffset()).isEqualTo(offset);
    }

    @Test
    void map_tableWithoutPrimaryKeyOrConfig_missingKeyException() {
        Table t = DebeziumFixtures.table("public", "logs", schema("logs"));
        assertThatThrownBy(() -> mapper.map(t.insert(t.row("id", 1))))
                .isInstanceOf(MissingKeyException.class)
                .hasMessageContaining("public.logs");
    }

    @Test
    void map_configuredKeyNotAColumn_mappingException() {
        Table t = DebeziumFixtures.table("public", "users", schema("users"), "id");
        ChangeMapper m = usersKeyedBy("nope");
        assertThatThrownBy(() -> m.map(t.insert(t.row("id", 1))))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("'nope'");
    }

    @Test
    void map_deleteWithConfiguredKeyOutsideReplicaIdentity_explainsReplicaIdentityFull() {
        Table t = DebeziumFixtures.table("public", "users", schema("users"), "id");
        ChangeMapper m = usersKeyedBy("email");
        assertThatThrownBy(() -> m.map(t.delete(t.row("id", 1))))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("REPLICA IDENTITY FULL");
        // with a full before image the configured key works
        assertThat(m.map(t.delete(t.row("id", 1, "email", "a@b"))).changes().get(0))
                .isInstanceOfSatisfying(
                        SourceChange.Delete.class,
                        d -> assertThat(d.metadata().elementId().value()).isEqualTo("public:users:a@b"));
        // a NULL configured key in a new row is encoded, not rejected
        assertThat(((SourceChange.Insert)
                                m.map(t.insert(t.row("id", 2))).changes().get(0))
                        .element()
                        .metadata()
                        .elementId()
                        .value())
                .isEqualTo("public:users:%00");
    }

    @Test
    void map_toastedKeyColumn_mappingException() {
        Table t = DebeziumFixtures.table("public", "users", schema("users"), "body");
        assertThatThrownBy(() -> mapper.map(
                        t.update(null, t.row("id", 1, "body", PgValueConverter.UNAVAILABLE_VALUE_PLACEHOLDER))))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("TOAST");
    }

    @Test
    void map_malformedRecords_mappingException() {
        Table t = DebeziumFixtures.table("public", "users", schema("users"), "id");
        Schema plain = SchemaBuilder.struct()
                .name("x.Value")
                .field("a", Schema.INT32_SCHEMA)
                .build();
        SourceRecord notEnvelope = new SourceRecord(
                Map.of(), Map.of(), "pg.public.users", null, null, null, plain, new Struct(plain).put("a", 1));
        assertThatThrownBy(() -> mapper.map(notEnvelope))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("not a Debezium change event");

        Struct badOp = t.envelope
                .create(t.row("id", 1), t.source(), java.time.Instant.EPOCH)
                .put("op", "x");
        SourceRecord unknownOp = new SourceRecord(
                Map.of(), Map.of(), "pg.public.users", null, t.keySchema, null, t.envelope.schema(), badOp);
        assertThatThrownBy(() -> mapper.map(unknownOp))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("unknown Debezium op 'x'");

        Struct noAfter = t.envelope
                .create(t.row("id", 1), t.source(), java.time.Instant.EPOCH)
                .put("after", null);
        SourceRecord missingAfter = new SourceRecord(
                Map.of(), Map.of(), "pg.public.users", null, t.keySchema, null, t.envelope.schema(), noAfter);
        assertThatThrownBy(() -> mapper.map(missingAfter))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("no 'after' image");

        Struct txBad = new Struct(DebeziumFixtures.TX_SCHEMA)
                .put("status", "MIDDLE")
                .put("id", "x")
                .put("ts_ms", 1L);
        SourceRecord tx = new SourceRecord(
                Map.of(), Map.of(), "pg.transaction", null, null, null, DebeziumFixtures.TX_SCHEMA, txBad);
        assertThatThrownBy(() -> mapper.map(tx))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("MIDDLE");
    }

    @Test
    void map_logicalMessageAndNonNumericTxId_recognised() {
        Table t = DebeziumFixtures.table("public", "users", schema("users"), "id");
        Struct msg = t.envelope
                .create(t.row("id", 1), t.source(), java.time.Instant.EPOCH)
                .put("op", "m");
        SourceRecord message =
                new SourceRecord(Map.of(), Map.of(), "pg.message", null, null, null, t.envelope.schema(), msg);
        MappedRecord m = mapper.map(message);
        assertThat(m.kind()).isEqualTo(MappedRecord.Kind.MESSAGE);
        assertThat(m.changes()).isEmpty();

        Struct begin = new Struct(DebeziumFixtures.TX_SCHEMA)
                .put("status", "BEGIN")
                .put("id", "abc")
                .put("ts_ms", 1L);
        MappedRecord b = mapper.map(new SourceRecord(
                Map.of(), Map.of(), "pg.transaction", null, null, null, DebeziumFixtures.TX_SCHEMA, begin));
        assertThat(b.kind()).isEqualTo(MappedRecord.Kind.TX_BEGIN);
        assertThat(b.txId()).isNull();
        assertThat(b.transactionId()).isEqualTo("abc");
        assertThat(mapper.sourceId()).isEqualTo("pg-source");
    }

    @Test
    void map_truncate_hostCanDeleteByIdPrefix() {
        Table t = DebeziumFixtures.table("public", "users", schema("users"), "id");
        MappedRecord m = mapper.map(t.truncate());
        SourceChange.Truncate tr = (SourceChange.Truncate) m.changes().get(0);
        assertThat(tr.tableId()).isEqualTo(TableId.of("public", "users"));
        assertThat(tr.elementIdPrefix()).isEqualTo("public:users:");
        MappedRecord ins = mapper.map(t.insert(t.row("id", 5)));
        assertThat(((SourceChange.Insert) ins.changes().get(0))
                        .element()
                        .metadata()
                        .elementId()
                        .value())
                .startsWith(tr.elementIdPrefix());
    }
}

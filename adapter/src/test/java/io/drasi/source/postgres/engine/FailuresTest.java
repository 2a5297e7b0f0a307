package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.FailureReason;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.SourceFailedException;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.mapping.value.UnmappableValueException;
import io.drasi.source.postgres.model.TableId;
import java.net.ConnectException;
import java.sql.SQLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Failure classification by exception type and SQLSTATE, never by message text. */
class FailuresTest {

    private static final PostgresSourceConfig CONFIG = PostgresSourceConfig.builder()
            .withDatabase("db")
            .withUser("u")
            .withTables("t")
            .withSlotName("s1")
            .withPublicationName("p1")
            .build();

    @ParameterizedTest
    @CsvSource({
        "28P01,AUTHENTICATION",
        "28000,AUTHENTICATION",
        "42501,PRIVILEGE",
        "3D000,UNREACHABLE",
        "08006,UNREACHABLE",
        "55006,SLOT_IN_USE",
        "55000,SLOT_INVALIDATED",
        "42P01,TABLE_MISSING",
        "XX000,INTERNAL"
    })
    void classify_sqlStateInTheCauseChain_reason(String sqlState, FailureReason expected) {
        Throwable wrapped = new RuntimeException("engine failed", new SQLException("whatever the text says", sqlState));
        SourceFailedException f = Failures.classify(wrapped, CONFIG);
        assertThat(f.reason()).isEqualTo(expected);
        assertThat(f.getCause()).isSameAs(wrapped);
    }

    @Test
    void classify_slotAndPublicationStates_messageNamesThemAndTheFix() {
        assertThat(Failures.classify(new SQLException("x", "55000"), CONFIG).getMessage())
                .contains("s1")
                .contains("pg_drop_replication_slot")
                .contains("bootstrap");
        assertThat(Failures.classify(new SQLException("x", "55006"), CONFIG).getMessage())
                .contains("s1")
                .contains("another slot_name");
    }

    @Test
    void classify_exceptionTypes_reason() {
        assertThat(Failures.classify(new RuntimeException(new ConnectException("refused")), CONFIG)
                        .reason())
                .isEqualTo(FailureReason.UNREACHABLE);
        assertThat(Failures.classify(new RuntimeException(new SSLHandshakeException("no")), CONFIG)
                        .reason())
                .isEqualTo(FailureReason.TLS);
        UnmappableValueException u = new UnmappableValueException(
                TableId.of("public", "t"), "c", "jsonb", 42L, new IllegalArgumentException("too deep"));
        SourceFailedException f = Failures.classify(new RuntimeException(u), CONFIG);
        assertThat(f.reason()).isEqualTo(FailureReason.UNMAPPABLE_VALUE);
        assertThat(f.getMessage()).isEqualTo(u.getMessage());
        assertThat(Failures.classify(new IllegalStateException("a bug"), CONFIG).reason())
                .isEqualTo(FailureReason.INTERNAL);
        SourceFailedException already = new SourceFailedException(FailureReason.SINK, "sink", null);
        assertThat(Failures.classify(already, CONFIG)).isSameAs(already);
        assertThat(FailureReason.SLOT_IN_USE.fix()).isNotBlank();
    }

    @Test
    void previousCommitLsn_debeziumSequence_parsed() {
        assertThat(BatchHandler.previousCommitLsn("[\"24023128\",\"24023500\"]"))
                .isEqualTo(Lsn.of(24023128L));
        assertThat(BatchHandler.previousCommitLsn("[null,\"24023500\"]")).isEqualTo(Lsn.INVALID);
        assertThat(BatchHandler.previousCommitLsn(null)).isEqualTo(Lsn.INVALID);
        assertThat(BatchHandler.previousCommitLsn("garbage")).isEqualTo(Lsn.INVALID);
    }
}

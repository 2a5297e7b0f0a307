package io.drasi.source.postgres.lifecycle;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.WAIT;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.ConnectionFailedException;
import io.drasi.source.postgres.FailureReason;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.SourceFailedException;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link PostgresReplicationSource#failure()} classifies by type and SQLSTATE, against a real PostgreSQL. */
@ExtendWith(PostgresExtension.class)
class FailureReasonTest {

    @Test
    void stream_timetzWithSecondsInItsOffset_failsUnmappableValueNamingTheLsn(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("fr_timetz", "CREATE TABLE t (id int PRIMARY KEY, at timetz)");
        try (PostgresReplicationSource source = running("pg-source", config(db, "s_fr_timetz", "t"), b -> {}, WAIT)) {
            String lsnBefore = db.queryValue("SELECT pg_current_wal_lsn()::text");
            try (Connection c = db.connect();
                    Statement st = c.createStatement()) {
                st.execute("SET TimeZone = 'Asia/Kathmandu'");
                // local mean time of Kathmandu in 4713 BC: UTC offset +05:41:16
                st.execute("INSERT INTO t VALUES (1, '4713-01-01 00:00:00 BC'::timetz)");
            }
            assertThat(source.awaitState(State.FAILED, WAIT)).isTrue();
            SourceFailedException f = source.failure().orElseThrow();
            System.out.println("FAILURE " + f.reason() + ": " + f.getMessage());
            assertThat(f.reason()).isEqualTo(FailureReason.UNMAPPABLE_VALUE);
            assertThat(f.getMessage())
                    .contains("Debezium could not decode a value")
                    .contains("LSN ")
                    .doesNotContain("unknown LSN")
                    .contains("not advanced")
                    .contains("bootstrap");
            String lsn = f.getMessage().replaceAll("(?s).*at LSN ([0-9A-F]+/[0-9A-F]+).*", "$1");
            assertThat(db.queryValue("SELECT '" + lsn + "'::pg_lsn >= '" + lsnBefore + "'::pg_lsn"))
                    .isEqualTo("t");
        }
    }

    @Test
    void stream_sinkThrows_failsSinkWithTheSinksException(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("fr_sink", "CREATE TABLE t (id int PRIMARY KEY)");
        IllegalStateException boom = new IllegalStateException("downstream is full");
        ChangeSink throwing = b -> {
            throw boom;
        };
        try (PostgresReplicationSource source = running("pg-source", config(db, "s_fr_sink", "t"), throwing, WAIT)) {
            db.execute("INSERT INTO t VALUES (1)");
            assertThat(source.awaitState(State.FAILED, WAIT)).isTrue();
            SourceFailedException f = source.failure().orElseThrow();
            assertThat(f.reason()).isEqualTo(FailureReason.SINK);
            assertThat(f.getCause()).isSameAs(boom);
            assertThat(f.getMessage()).contains("downstream is full").contains("not acknowledged");
        }
    }

    @Test
    void start_wrongPassword_authentication(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("fr_auth", "CREATE TABLE t (id int PRIMARY KEY)");
        db.createReplicationRole("fr_auth_user", "right-password", "t");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "pg-source",
                config(db, "s_fr_auth", "t")
                        .withUser("fr_auth_user")
                        .withPassword("wrong-password")
                        .build());
        assertThatThrownBy(() -> source.start(b -> {})).isInstanceOf(ConnectionFailedException.class);
        assertThat(source.state()).isEqualTo(State.FAILED);
        assertThat(source.failure().orElseThrow().reason()).isEqualTo(FailureReason.AUTHENTICATION);
        assertThat(source.failure().orElseThrow().getMessage()).doesNotContain("wrong-password");
        source.close();
        assertThat(source.state()).isEqualTo(State.FAILED);
    }

    @Test
    void start_unreachable_unreachable(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("fr_unreach");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "pg-source", config(db, "s_fr_unreach", "t").withPort(1).build());
        assertThatThrownBy(() -> source.start(b -> {})).isInstanceOf(ConnectionFailedException.class);
        assertThat(source.failure().orElseThrow().reason()).isEqualTo(FailureReason.UNREACHABLE);
    }

    @Test
    void start_missingTable_preflight(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("fr_preflight");
        PostgresReplicationSource source = new PostgresReplicationSource(
                "pg-source", config(db, "s_fr_preflight", "no_such_table").build());
        assertThatThrownBy(() -> source.start(b -> {})).isInstanceOf(PreflightException.class);
        assertThat(source.failure().orElseThrow().reason()).isEqualTo(FailureReason.PREFLIGHT);
    }
}

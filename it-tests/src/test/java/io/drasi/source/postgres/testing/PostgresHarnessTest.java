package io.drasi.source.postgres.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresHarnessTest {

    @Test
    void shared_pgoutputSlotAndPublication_seesInsertedRow(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("harness");
        String slot = "harness_slot_" + ProcessHandle.current().pid();
        db.execute(
                "CREATE TABLE items (id int PRIMARY KEY, name text)",
                "CREATE PUBLICATION harness_pub FOR TABLE items",
                "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')",
                "INSERT INTO items VALUES (42, 'drasi-row-marker')");
        try {
            List<byte[]> messages = new ArrayList<>();
            try (Connection c = db.connect();
                    PreparedStatement ps =
                            c.prepareStatement("SELECT data FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL,"
                                    + " 'proto_version', '1', 'publication_names', 'harness_pub')")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        messages.add(rs.getBytes(1));
                    }
                }
            }
            // pgoutput: B(egin), R(elation), I(nsert), C(ommit)
            assertThat(messages).extracting(m -> (char) m[0]).containsExactly('B', 'R', 'I', 'C');
            assertThat(new String(messages.get(2), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("drasi-row-marker");
            assertThat(db.replicationSlots()).anySatisfy(s -> {
                assertThat(s.slotName()).isEqualTo(slot);
                assertThat(s.plugin()).isEqualTo("pgoutput");
                assertThat(s.active()).isFalse();
            });
        } finally {
            db.dropSlotIfExists(slot);
        }
    }

    @Test
    void shared_serverSettings_logicalWalAndVersion(PostgresServer pg) {
        assertThat(pg.queryValue("show wal_level")).isEqualTo("logical");
        assertThat(pg.majorVersion()).isGreaterThanOrEqualTo(12);
    }

    @Test
    void createReplicationRole_selectOnly_canReadButNotWrite(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("harness_role");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        db.createReplicationRole("harness_reader", "s3cret", "public.t");
        try (Connection c = db.connect("harness_reader", "s3cret")) {
            try (ResultSet rs = c.createStatement().executeQuery("select count(*) from t")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            assertThatThrownBy(() -> c.createStatement().execute("insert into t values (2)"))
                    .hasMessageContaining("permission denied");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        assertThat(db.queryValue("select rolreplication::text from pg_roles where rolname = 'harness_reader'"))
                .isEqualTo("true");
    }

    @Test
    void start_unreachableDrasiPgUrl_failsLoudlyNamingTheUrl() {
        assertThatThrownBy(() -> PostgresHarness.start(
                        Map.of("DRASI_PG_URL", "jdbc:postgresql://127.0.0.1:1/nowhere?user=u&password=topsecret")))
                .isInstanceOf(PostgresHarness.HarnessException.class)
                .hasMessageContaining("DRASI_PG_URL jdbc:postgresql://127.0.0.1:1/nowhere")
                .hasMessageContaining("cannot connect")
                .hasMessageContaining("Fix:")
                .hasMessageNotContaining("topsecret");
    }
}

package io.drasi.source.postgres.it.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.bootstrap.BootstrapException;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.bootstrap.SnapshotSlot;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.model.TableId;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class SnapshotSlotTest {

    @Test
    void permanentSlot_survivesClose_temporarySlotDoesNot(PostgresServer pg) throws InterruptedException {
        PostgresServer db = pg.newDatabase("bs_slot");
        String name = Bootstraps.slotName("bs_slot");
        try {
            String tempName;
            try (SnapshotSlot perm = SnapshotSlot.createPermanent(Bootstraps.settings(db), name);
                    SnapshotSlot temp = SnapshotSlot.createTemporary(Bootstraps.settings(db))) {
                tempName = temp.slotName();
                assertThat(perm.temporary()).isFalse();
                assertThat(temp.temporary()).isTrue();
                assertThat(tempName).matches("drasi_bootstrap_[0-9a-f]{16}");
                assertThat(temp.consistentPoint().isAfter(perm.consistentPoint())
                                || temp.consistentPoint().equals(perm.consistentPoint()))
                        .isTrue();
                assertThat(db.replicationSlots()).anySatisfy(s -> {
                    assertThat(s.slotName()).isEqualTo(tempName);
                    assertThat(s.temporary()).isTrue();
                    assertThat(s.plugin()).isEqualTo("pgoutput");
                    assertThat(s.active()).isTrue();
                });
                assertThat(perm.toString())
                        .contains(name)
                        .contains(perm.consistentPoint().toString());
            }
            // the server drops the temporary slot when its walsender exits, shortly after close()
            long deadline = System.currentTimeMillis() + 10_000;
            while (slotsOf(db).size() > 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(slotsOf(db))
                    .extracting(PostgresServer.SlotInfo::slotName)
                    .containsExactly(name);
            assertThat(slotsOf(db).get(0).active()).isFalse();
            assertThat(slotsOf(db).get(0).plugin()).isEqualTo("pgoutput");
        } finally {
            db.dropSlotIfExists(name);
        }
    }

    static java.util.List<PostgresServer.SlotInfo> slotsOf(PostgresServer db) {
        return db.replicationSlots().stream()
                .filter(s -> db.database().equals(s.database()))
                .toList();
    }

    @Test
    void existingSlot_clearErrorWithFix(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("bs_slot_dup");
        String name = Bootstraps.slotName("bs_dup");
        db.execute("SELECT pg_create_logical_replication_slot('" + name + "', 'pgoutput')");
        try {
            assertThatThrownBy(() -> SnapshotSlot.createPermanent(Bootstraps.settings(db), name))
                    .isInstanceOf(BootstrapException.class)
                    .hasMessageContaining(name)
                    .hasMessageContaining("already exists")
                    .hasMessageContaining("pg_drop_replication_slot('" + name + "')");
        } finally {
            db.dropSlotIfExists(name);
        }
    }

    @Test
    void invalidSlotName_rejectedBeforeConnecting(PostgresServer pg) {
        assertThatThrownBy(() -> SnapshotSlot.createPermanent(Bootstraps.settings(pg), "Bad-Name"))
                .isInstanceOf(BootstrapException.class)
                .hasMessageContaining("[a-z0-9_]".substring(0, 0))
                .hasMessageContaining("lower-case letters, digits and underscore");
    }

    @Test
    void roleWithoutReplication_clearErrorWithFix(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("bs_slot_role");
        db.execute("DROP ROLE IF EXISTS bs_noreplication", "CREATE ROLE bs_noreplication LOGIN PASSWORD 'pw-secret-1'");
        ConnectionSettings s = ConnectionSettings.builder()
                .host(db.host())
                .port(db.port())
                .database(db.database())
                .user("bs_noreplication")
                .password("pw-secret-1")
                .sslMode(SslMode.DISABLE)
                .build();
        assertThat(s.toString()).doesNotContain("pw-secret-1").contains("****");
        assertThatThrownBy(() -> SnapshotSlot.createTemporary(s))
                .isInstanceOf(BootstrapException.class)
                .hasMessageContaining("REPLICATION")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw-secret-1"));
    }

    @Test
    void closedSlot_snapshotNoLongerUsable_clearError(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("bs_slot_closed");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)");
        SnapshotSlot slot = SnapshotSlot.createTemporary(Bootstraps.settings(db));
        slot.close();
        slot.close(); // idempotent
        assertThatThrownBy(() -> Bootstraps.provider(db, TableId.of("public", "t"))
                        .build()
                        .bootstrap(slot, Set.of(), r -> {}))
                .isInstanceOf(BootstrapException.class)
                .hasMessageContaining("keep it open");
    }
}

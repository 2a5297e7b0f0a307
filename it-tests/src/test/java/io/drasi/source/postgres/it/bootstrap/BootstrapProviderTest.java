package io.drasi.source.postgres.it.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.bootstrap.BootstrapException;
import io.drasi.source.postgres.bootstrap.BootstrapProgress;
import io.drasi.source.postgres.bootstrap.BootstrapProvider;
import io.drasi.source.postgres.bootstrap.BootstrapResult;
import io.drasi.source.postgres.bootstrap.SnapshotSlot;
import io.drasi.source.postgres.bootstrap.TableMissingException;
import io.drasi.source.postgres.mapping.MissingKeyException;
import io.drasi.source.postgres.model.TableId;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class BootstrapProviderTest {

    private static final TableId USERS = TableId.of("public", "users");
    private static final TableId ORDERS = TableId.of("sales", "orders");
    private static final TableId ODD = TableId.of("My Schema", "Odd:Table");
    private static final TableId ITEMS = TableId.of("sales", "order_items");

    private static PostgresServer multiSchema(PostgresServer pg) {
        return pg.newDatabase("bs_multi", """
                CREATE TABLE users (id int PRIMARY KEY, name text);
                INSERT INTO users VALUES (1, 'Alice'), (2, 'Bob');
                CREATE SCHEMA sales;
                CREATE TABLE sales.orders (id bigint PRIMARY KEY, total numeric(10,2));
                INSERT INTO sales.orders VALUES (10, 9.99);
                CREATE TABLE sales.order_items (order_id int, line int, sku text, PRIMARY KEY (order_id, line));
                INSERT INTO sales.order_items VALUES (1001, 3, 'a'), (1001, 4, 'b'), (1002, 3, 'c');
                CREATE SCHEMA "My Schema";
                CREATE TABLE "My Schema"."Odd:Table" ("Key:Col" text PRIMARY KEY, "Weird ""Col""\" int);
                INSERT INTO "My Schema"."Odd:Table" VALUES ('a:b', 1), ('100%', 2), ('plain', NULL);
                """);
    }

    @Test
    void allTables_anySchema_quotedIdentifiers_compositeKeys(PostgresServer pg) {
        PostgresServer db = multiSchema(pg);
        Bootstraps.Collector rows = new Bootstraps.Collector();
        BootstrapResult r =
                Bootstraps.provider(db, USERS, ORDERS, ODD, ITEMS).build().bootstrapWithTemporarySlot(Set.of(), rows);
        assertThat(rows.ids())
                .containsExactlyInAnyOrder(
                        "public:users:1",
                        "public:users:2",
                        "sales:orders:10",
                        "My Schema:Odd%3ATable:a%3Ab",
                        "My Schema:Odd%3ATable:100%25",
                        "My Schema:Odd%3ATable:plain",
                        "sales:order_items:1001:3",
                        "sales:order_items:1001:4",
                        "sales:order_items:1002:3");
        assertThat(rows.rows().get("My Schema:Odd%3ATable:a%3Ab"))
                .containsExactly(Map.entry("Key:Col", "a:b"), Map.entry("Weird \"Col\"", "1"));
        assertThat(rows.rows().get("My Schema:Odd%3ATable:plain")).containsEntry("Weird \"Col\"", null);
        assertThat(rows.rows().get("sales:orders:10")).containsEntry("total", "9.99");
        assertThat(rows.inserts)
                .filteredOn(i -> i.element().metadata().elementId().toString().startsWith("My"))
                .allSatisfy(i -> assertThat(i.element().metadata().labels()).containsExactly("Odd:Table"));
        assertThat(r.tables())
                .extracting(BootstrapResult.TableResult::table, BootstrapResult.TableResult::rows)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(USERS, 2L),
                        org.assertj.core.groups.Tuple.tuple(ORDERS, 1L),
                        org.assertj.core.groups.Tuple.tuple(ODD, 3L),
                        org.assertj.core.groups.Tuple.tuple(ITEMS, 3L));
        assertThat(r.totalRows()).isEqualTo(9);
    }

    @Test
    void labelFilter_selectsByBareTableName_ignoresUnknownLabels(PostgresServer pg) {
        PostgresServer db = multiSchema(pg);
        BootstrapProvider provider =
                Bootstraps.provider(db, USERS, ORDERS, ODD, ITEMS).build();
        Bootstraps.Collector rows = new Bootstraps.Collector();
        BootstrapResult r = provider.bootstrapWithTemporarySlot(Set.of("orders", "Odd:Table", "NoSuchLabel"), rows);
        assertThat(r.tables()).extracting(BootstrapResult.TableResult::table).containsExactly(ORDERS, ODD);
        assertThat(rows.ids()).hasSize(4).allMatch(id -> id.startsWith("sales:orders:") || id.startsWith("My Schema:"));

        Bootstraps.Collector none = new Bootstraps.Collector();
        assertThat(provider.bootstrapWithTemporarySlot(Set.of("nothing_here"), none)
                        .tables())
                .isEmpty();
        assertThat(none.inserts).isEmpty();
    }

    @Test
    void configuredKeys_overridePrimaryKey_andWorkWithoutOne(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("bs_keys");
        db.execute(
                "CREATE TABLE nopk (tenant text, code int, v text)",
                "INSERT INTO nopk VALUES ('t1', 1, 'x'), ('t1', 2, 'y'), ('t2', 1, 'z')");
        TableId t = TableId.of("public", "nopk");
        Bootstraps.Collector rows = new Bootstraps.Collector();
        Bootstraps.provider(db, List.of(t), Map.of(t, List.of("tenant", "code")))
                .build()
                .bootstrapWithTemporarySlot(Set.of(), rows);
        assertThat(rows.ids()).containsExactly("public:nopk:t1:1", "public:nopk:t1:2", "public:nopk:t2:1");

        assertThatThrownBy(() -> Bootstraps.provider(db, t).build().bootstrapWithTemporarySlot(Set.of(), r -> {}))
                .isInstanceOf(MissingKeyException.class)
                .hasMessageContaining("nopk")
                .hasMessageContaining("table_keys");
        assertThatThrownBy(() -> Bootstraps.provider(db, List.of(t), Map.of(t, List.of("nope")))
                        .build()
                        .bootstrapWithTemporarySlot(Set.of(), r -> {}))
                .isInstanceOf(BootstrapException.class)
                .hasMessageContaining("'nope'")
                .hasMessageContaining("table_keys");
    }

    @Test
    void emptyTable_deliversNothing_reportsStartAndFinish(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("bs_empty");
        db.execute("CREATE TABLE empty (id int PRIMARY KEY)", "ANALYZE empty");
        List<BootstrapProgress.TableProgress> seen = new ArrayList<>();
        Bootstraps.Collector rows = new Bootstraps.Collector();
        BootstrapResult r = Bootstraps.provider(db, TableId.of("public", "empty"))
                .progress(seen::add)
                .build()
                .bootstrapWithTemporarySlot(Set.of(), rows);
        assertThat(rows.inserts).isEmpty();
        assertThat(r.totalRows()).isZero();
        assertThat(seen)
                .extracting(BootstrapProgress.TableProgress::phase)
                .containsExactly(BootstrapProgress.Phase.STARTED, BootstrapProgress.Phase.FINISHED);
        assertThat(seen.get(1).rowsDone()).isZero();
    }

    @Test
    void progress_reportsEstimateRowsAndRate(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("bs_progress");
        db.execute(
                "CREATE TABLE big (id int PRIMARY KEY, pad text)",
                "INSERT INTO big SELECT g, repeat('x', 50) FROM generate_series(1, 200000) g",
                "ANALYZE big");
        List<BootstrapProgress.TableProgress> seen = new ArrayList<>();
        long[] count = {0};
        Bootstraps.provider(db, TableId.of("public", "big"))
                .progress(seen::add)
                .progressInterval(java.time.Duration.ZERO)
                .build()
                .bootstrapWithTemporarySlot(Set.of(), r -> count[0]++);
        assertThat(count[0]).isEqualTo(200_000);
        assertThat(seen).extracting(BootstrapProgress.TableProgress::phase).contains(BootstrapProgress.Phase.READING);
        BootstrapProgress.TableProgress last = seen.get(seen.size() - 1);
        assertThat(last.phase()).isEqualTo(BootstrapProgress.Phase.FINISHED);
        assertThat(last.rowsDone()).isEqualTo(200_000);
        assertThat(last.rowsEstimated()).isBetween(150_000L, 250_000L);
        assertThat(last.rowsPerSecond()).isPositive();
        assertThat(last.fraction()).isEqualTo(1.0);
        assertThat(seen).extracting(BootstrapProgress.TableProgress::rowsDone).isSorted();
    }

    @Test
    void missingTable_failsBeforeAnyRow_namingTheTable(PostgresServer pg) {
        PostgresServer db = multiSchema(pg);
        Bootstraps.Collector rows = new Bootstraps.Collector();
        TableId ghost = TableId.of("sales", "ghost");
        assertThatThrownBy(
                        () -> Bootstraps.provider(db, USERS, ghost).build().bootstrapWithTemporarySlot(Set.of(), rows))
                .isInstanceOf(TableMissingException.class)
                .hasMessageContaining("sales.ghost")
                .hasMessageContaining("does not exist")
                .satisfies(e -> assertThat(((TableMissingException) e).table()).isEqualTo(ghost));
        assertThat(rows.inserts).as("nothing delivered before the check").isEmpty();
    }

    @Test
    void tableDroppedAfterSnapshot_clearErrorNamingTheTable(PostgresServer pg) {
        PostgresServer db = multiSchema(pg);
        Bootstraps.Collector rows = new Bootstraps.Collector();
        try (SnapshotSlot slot = SnapshotSlot.createTemporary(Bootstraps.settings(db))) {
            // the snapshot still sees sales.orders in the catalog, but the table is gone when it is read
            db.execute("DROP TABLE sales.orders");
            assertThatThrownBy(
                            () -> Bootstraps.provider(db, USERS, ORDERS).build().bootstrap(slot, Set.of(), rows))
                    .isInstanceOf(TableMissingException.class)
                    .hasMessageContaining("sales.orders")
                    .hasMessageContaining("dropped while the bootstrap ran");
        }
        assertThat(rows.ids()).containsExactly("public:users:1", "public:users:2");
    }

    @Test
    void unqualifiedTable_resolvesThroughSearchPath(PostgresServer pg) {
        PostgresServer db = multiSchema(pg);
        Bootstraps.Collector rows = new Bootstraps.Collector();
        BootstrapResult r =
                Bootstraps.provider(db, TableId.parse("users")).build().bootstrapWithTemporarySlot(Set.of(), rows);
        assertThat(r.tables().get(0).table()).isEqualTo(USERS);
        assertThat(rows.ids()).containsExactly("public:users:1", "public:users:2");
    }

    @Test
    void sinkFailure_propagatesUnchanged_andLeavesNoTemporarySlot(PostgresServer pg) {
        PostgresServer db = pg.newDatabase("bs_sinkfail");
        db.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t SELECT generate_series(1, 50000)");
        IllegalStateException boom = new IllegalStateException("sink full");
        long[] n = {0};
        assertThatThrownBy(() -> Bootstraps.provider(db, TableId.of("public", "t"))
                        .build()
                        .bootstrapWithTemporarySlot(Set.of(), r -> {
                            if (++n[0] == 1000) {
                                throw boom;
                            }
                        }))
                .isSameAs(boom);
        long deadline = System.currentTimeMillis() + 10_000;
        while (!SnapshotSlotTest.slotsOf(db).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(SnapshotSlotTest.slotsOf(db)).isEmpty();
        assertThat(db.queryValue(
                        "select count(*) from pg_stat_activity where query like 'COPY%' and pid <> pg_backend_pid()"))
                .isEqualTo("0");
    }
}

package io.drasi.source.postgres.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.SourceDiagnostics;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A role with only what README's "Least privilege" section grants — the SQL block is read from README.md
 * and run as written (names substituted), so the documentation is what is tested: LOGIN REPLICATION,
 * CONNECT on the database (revoked from PUBLIC here, so the grant is what lets it in), USAGE on the
 * schemas, SELECT on the tables, and the publication created by an admin. With that role the source runs
 * the first bootstrap, streams insert / update (an unchanged TOAST value re-read by key) / delete with the
 * heartbeat on, and a temporary-slot bootstrap; {@code check} passes. The role is neither superuser nor
 * table owner, and has no CREATE on the database.
 */
@ExtendWith(PostgresExtension.class)
class LeastPrivilegeTest {

    /** The SQL block of README's "### Least privilege" section. */
    static String readmeGrants() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path readme = Files.isRegularFile(here.resolve("../README.md"))
                ? here.resolve("../README.md")
                : here.resolve("README.md");
        String text = Files.readString(readme);
        Matcher m = Pattern.compile("### Least privilege\\s*\\n(?:[^`]*\\n)?```sql\\n(.*?)```", Pattern.DOTALL)
                .matcher(text);
        if (!m.find()) {
            throw new AssertionError("README.md has no '### Least privilege' section with a ```sql block");
        }
        return m.group(1);
    }

    @Test
    void readmeGrantsOnly_bootstrapStreamAndSnapshotWork(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("sec_least");
        String role = db.database() + "_r";
        String password = "lp-" + System.nanoTime();
        String pub = "lp_pub";
        db.execute(
                "CREATE SCHEMA sales",
                "CREATE TABLE public.users (id int PRIMARY KEY, name text, bio text)",
                "CREATE TABLE sales.orders (order_id int, line_no int, qty int, PRIMARY KEY (order_id, line_no))",
                "INSERT INTO public.users VALUES (1, 'ann', 'x'), (2, 'bob', 'y')",
                "INSERT INTO sales.orders VALUES (1, 1, 5), (1, 2, 6)",
                "REVOKE CONNECT, TEMPORARY ON DATABASE " + PostgresServer.quoteIdent(db.database()) + " FROM PUBLIC",
                "DROP ROLE IF EXISTS " + PostgresServer.quoteIdent(role));
        String grants = readmeGrants()
                .replace("drasi_user", PostgresServer.quoteIdent(role))
                .replace("DATABASE production", "DATABASE " + PostgresServer.quoteIdent(db.database()))
                .replace("PASSWORD '...'", "PASSWORD " + PostgresServer.quoteLiteral(password))
                .replace("drasi_publication", pub);
        List<String> statements = new ArrayList<>();
        for (String s : grants.replaceAll("(?m)--.*$", "").split(";")) {
            if (!s.isBlank()) {
                statements.add(s.trim());
            }
        }
        assertThat(statements).as("README's least-privilege SQL").hasSize(5);
        db.execute(statements.toArray(String[]::new));
        assertThat(db.queryValue(
                        "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls FROM pg_roles WHERE rolname = "
                                + PostgresServer.quoteLiteral(role)))
                .isEqualTo("f");
        assertThat(db.queryValue("SELECT has_database_privilege(" + PostgresServer.quoteLiteral(role)
                        + ", current_database(), 'CREATE')"))
                .isEqualTo("f");

        PostgresSourceConfig config = PostgresSourceConfig.builder()
                .withHost(db.host())
                .withPort(db.port())
                .withDatabase(db.database())
                .withUser(role)
                .withPassword(password)
                .withTables("users", "sales.orders")
                .withSlotName("sec_least")
                .withPublicationName(pub)
                .withInMemoryOffsets()
                .withHeartbeatInterval(Duration.ofMillis(300))
                .withReconnectBackoffInitial(Duration.ofMillis(200))
                .withReconnectBackoffMax(Duration.ofSeconds(2))
                .build();
        List<SourceDiagnostics.Check> checks = SourceDiagnostics.run(config);
        assertThat(SourceDiagnostics.allOk(checks))
                .as("check as the least-privilege role: %s", checks)
                .isTrue();

        List<SourceChange> got = new ArrayList<>();
        try (PostgresReplicationSource source = new PostgresReplicationSource("least", config)) {
            source.startWithBootstrap(
                    batch -> {
                        synchronized (got) {
                            batch.stream().map(PositionedChange::change).forEach(got::add);
                            got.notifyAll();
                        }
                    },
                    p -> {});
            assertThat(got).hasSize(4);
            db.execute(
                    "INSERT INTO public.users SELECT 3, 'cy', string_agg(md5(g::text), '') FROM generate_series(1, "
                            + "600) g",
                    "UPDATE public.users SET name = 'cyd' WHERE id = 3",
                    "DELETE FROM sales.orders WHERE order_id = 1 AND line_no = 2",
                    "INSERT INTO sales.orders VALUES (2, 1, 7)");
            synchronized (got) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (got.size() < 8 && System.nanoTime() < deadline) {
                    got.wait(100);
                }
            }
            assertThat(source.failure()).isEmpty();
            assertThat(got).hasSize(8);
            String bio = db.queryValue("SELECT bio FROM public.users WHERE id = 3");
            assertThat(((SourceChange.Update) got.get(5)).element().properties())
                    .as("unchanged TOAST value re-read with SELECT only")
                    .containsEntry("bio", new ElementValue.StringValue(bio));

            Map<String, Map<String, ElementValue>> snapshot = new TreeMap<>();
            source.bootstrap(
                    Set.of(),
                    i -> snapshot.put(
                            i.element().metadata().elementId().value(),
                            i.element().properties()),
                    p -> {});
            assertThat(snapshot.keySet())
                    .containsExactly(
                            "public:users:1",
                            "public:users:2",
                            "public:users:3",
                            "sales:orders:1:1",
                            "sales:orders:2:1");

            // the heartbeat (pg_logical_emit_message) works with REPLICATION alone: the slot advances while idle
            String before = db.queryValue(
                    "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'sec_least'");
            db.execute("CREATE TABLE other (id int)", "INSERT INTO other VALUES (1)");
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            String after = before;
            while (after.equals(before) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                after = db.queryValue(
                        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'sec_least'");
            }
            assertThat(after)
                    .as("slot advanced past unrelated WAL by the heartbeat")
                    .isNotEqualTo(before);
            assertThat(source.failure()).isEmpty();
        } finally {
            db.dropSlotIfExists("sec_least");
        }
    }
}

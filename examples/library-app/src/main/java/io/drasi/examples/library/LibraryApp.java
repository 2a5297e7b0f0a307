package io.drasi.examples.library;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.State;
import io.drasi.source.postgres.mapping.json.SeedJson;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The library inside an application: a {@link PostgresReplicationSource} streams the given tables — first a
 * consistent snapshot of their rows, then every change — into a {@link ChangeSink} that prints each change as one
 * line of drasi-core {@code SourceChange} JSON on stdout.
 *
 * <pre>
 * PGHOST=db PGUSER=drasi PGPASSWORD=... PGDATABASE=shop java -jar target/library-app.jar users sales.orders
 * </pre>
 *
 * Connection from libpq's variables ({@code PGHOST}, {@code PGPORT}, {@code PGDATABASE}, {@code PGUSER},
 * {@code PGPASSWORD}); the slot and publication are {@code drasi_library_app} ({@code DRASI_SLOT} to change);
 * the acknowledged position is kept in {@code library-app.offsets}, so a restart resumes where it stopped. Runs
 * until Ctrl-C. With {@code EXPECT_CHANGES=N} it exits 0 once N changes were printed and 1 when they did not
 * arrive within {@code TIMEOUT_SECONDS} (60): how CI proves the example works.
 */
public final class LibraryApp {

    private LibraryApp() {
    }

    public static void main(String[] tables) throws Exception {
        if (tables.length == 0) {
            System.err.println("usage: java -jar library-app.jar TABLE... (connection from PGHOST, PGPORT, PGDATABASE,"
                    + " PGUSER, PGPASSWORD)");
            System.exit(2);
        }
        Map<String, String> env = System.getenv();
        String slot = env.getOrDefault("DRASI_SLOT", "drasi_library_app");
        PostgresSourceConfig config = PostgresSourceConfig.builder()
                .withHost(env.getOrDefault("PGHOST", "localhost"))
                .withPort(Integer.parseInt(env.getOrDefault("PGPORT", "5432")))
                .withDatabase(env.getOrDefault("PGDATABASE", "postgres"))
                .withUser(env.getOrDefault("PGUSER", "postgres"))
                .withPassword(env.get("PGPASSWORD"))
                .withTables(tables)
                .withSlotName(slot)
                .withPublicationName(slot)
                .withOffsetStore(Path.of("library-app.offsets"))
                .build(); // every problem at once: ConfigurationException

        AtomicInteger printed = new AtomicInteger();
        // The printing sink: called with one batch at a time; returning acknowledges the batch.
        ChangeSink printing = batch -> {
            for (PositionedChange c : batch) {
                System.out.println(SeedJson.encode(c.change()));
            }
            System.out.flush();
            printed.addAndGet(batch.size());
        };

        int expect = Integer.parseInt(env.getOrDefault("EXPECT_CHANGES", "0"));
        Duration timeout = Duration.ofSeconds(Long.parseLong(env.getOrDefault("TIMEOUT_SECONDS", "60")));
        int exit;
        try (PostgresReplicationSource source = new PostgresReplicationSource("pg-source", config)) {
            Runtime.getRuntime().addShutdownHook(new Thread(source::close, "library-app-stop")); // Ctrl-C
            source.startWithBootstrap(printing, p -> System.err.println("bootstrap " + p.table() + ": " + p.phase()
                    + ", " + p.rowsDone() + " rows"));
            System.err.println("streaming " + String.join(", ", tables));
            exit = awaitChanges(source, printed, expect, timeout);
        }
        System.exit(exit);
    }

    /** Until Ctrl-C, or (with {@code expect > 0}) until that many changes were printed or the timeout. */
    private static int awaitChanges(PostgresReplicationSource source, AtomicInteger printed, int expect, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (expect <= 0 || printed.get() < expect) {
            State state = source.state();
            if (state == State.FAILED || state == State.STOPPED) {
                System.err.println("source " + state + source.failure().map(f -> ": " + f.getMessage()).orElse(""));
                return state == State.FAILED || expect > 0 ? 1 : 0;
            }
            if (expect > 0 && System.nanoTime() > deadline) {
                System.err.println("expected " + expect + " changes within " + timeout.toSeconds() + " s, got "
                        + printed.get());
                return 1;
            }
            Thread.sleep(100);
        }
        System.err.println("received " + printed.get() + " changes");
        return 0;
    }
}

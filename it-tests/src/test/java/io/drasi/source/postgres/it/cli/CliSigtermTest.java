package io.drasi.source.postgres.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what Ctrl-C / {@code kill} send) to {@code drasi-pg stream --bootstrap} through the real jar, a
 * few seconds into a multi-million-row first bootstrap: the process stops within 3 s with exit 143 and no
 * WARN or ERROR line, and a restart bootstraps again and delivers every row.
 */
@ExtendWith(PostgresExtension.class)
class CliSigtermTest {

    private static final Pattern ELEMENT_ID = Pattern.compile("\"element_id\":\"([^\"]+)\"");
    private static final int ROWS = 2_000_000;

    @TempDir
    Path tmp;

    @Test
    void stream_sigtermDuringFirstBootstrap_stopsWithin3sQuietlyAndRestartDeliversEveryRow(PostgresServer pg)
            throws Exception {
        PostgresServer db = pg.newDatabase("cli_sigterm");
        db.execute(
                "CREATE TABLE big (id int PRIMARY KEY, v int)",
                "INSERT INTO big SELECT g, g % 97 FROM generate_series(1, " + ROWS + ") g");
        Path config = config(db, "s_cli_sigterm", "big");
        Path offsets = tmp.resolve("state/pg.offsets");
        CliProcess first = CliProcess.stream(tmp, config, offsets.toString(), "--bootstrap");
        first.awaitStderr("bootstrap", Duration.ofSeconds(60));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        // signal once rows are flowing (~1 MB printed): on a quiet machine the whole bootstrap takes only seconds
        while (Files.size(first.outFile()) < 1_000_000 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long signalled = System.nanoTime();
        first.process().destroy(); // SIGTERM
        int exit = first.await(Duration.ofSeconds(30));
        long stopMs = (System.nanoTime() - signalled) / 1_000_000;
        String err = first.stderr();
        long printed = first.lines().size();
        System.out.printf(
                "CLI SIGTERM during the bootstrap: exit %d after %d ms, %,d of %,d rows printed%n",
                exit, stopMs, printed, ROWS);
        assertThat(printed).as("the SIGTERM came during the bootstrap").isLessThan(ROWS);
        assertThat(exit).as(err).isEqualTo(143);
        assertThat(stopMs).as(err).isLessThan(3000);
        assertThat(err.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Exception")))
                .as(err)
                .isEmpty();
        assertThat(db.replicationSlots())
                .filteredOn(s -> s.database().equals(db.database()))
                .as("the interrupted bootstrap's slot is dropped")
                .isEmpty();

        CliProcess second = CliProcess.stream(
                tmp, config, offsets.toString(), "--bootstrap", "--max-changes", Integer.toString(ROWS));
        int secondExit = second.await(Duration.ofSeconds(180));
        assertThat(secondExit).as(second.stderr()).isZero();
        Set<String> ids = new HashSet<>();
        long lines = 0;
        try (var in = Files.newBufferedReader(second.outFile())) {
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                Matcher m = ELEMENT_ID.matcher(l);
                if (m.find()) {
                    ids.add(m.group(1));
                    lines++;
                }
            }
        }
        assertThat(lines).isEqualTo(ROWS);
        assertThat(ids).hasSize(ROWS);
    }

    /**
     * The other states: SIGTERM while the source is still starting (preflight, engine start), and SIGINT (exit
     * 130) and SIGTERM (143) while it streams: each stops within 3 s with no WARN/ERROR line.
     */
    @Test
    void stream_signalWhileStartingOrStreaming_exits130Or143Within3sQuietly(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("cli_signals");
        db.execute("CREATE TABLE t (id int PRIMARY KEY, v int)", "INSERT INTO t VALUES (1, 1)");
        Path config = config(db, "s_cli_signals", "t");
        // starting: the signal arrives before the engine streams
        assertQuietStop(CliProcess.stream(tmp, config, "memory"), "TERM", 143, "while starting");
        // streaming: after a change was printed
        for (String[] signal : new String[][] {{"INT", "130"}, {"TERM", "143"}}) {
            CliProcess p = CliProcess.stream(tmp, config, "memory");
            p.awaitStreaming();
            db.execute("UPDATE t SET v = v + 1");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (p.lines().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(p.lines()).as(p.stderr()).isNotEmpty();
            assertQuietStop(p, signal[0], Integer.parseInt(signal[1]), "while streaming");
        }
    }

    private static void assertQuietStop(CliProcess p, String signal, int expectedExit, String when) throws Exception {
        long signalled = System.nanoTime();
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.process().pid()))
                .inheritIO()
                .start()
                .waitFor();
        int exit = p.await(Duration.ofSeconds(30));
        long stopMs = (System.nanoTime() - signalled) / 1_000_000;
        String err = p.stderr();
        System.out.printf("CLI SIG%s %s: exit %d after %d ms%n", signal, when, exit, stopMs);
        assertThat(exit).as(when + ": " + err).isEqualTo(expectedExit);
        assertThat(stopMs).as(when + ": " + err).isLessThan(3000);
        assertThat(err.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Exception")))
                .as(when + ": " + err)
                .isEmpty();
    }

    private Path config(PostgresServer db, String slot, String... tables) throws IOException {
        return CliProcess.sourceYaml(tmp, db, "cli-test", slot, List.of(tables));
    }
}

package io.drasi.source.postgres.streaming;

import static io.drasi.source.postgres.streaming.StreamingTestSupport.config;
import static io.drasi.source.postgres.streaming.StreamingTestSupport.running;
import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.PostgresReplicationSource;
import io.drasi.source.postgres.bootstrap.BootstrapResult;
import io.drasi.source.postgres.bootstrap.HandoverFilter;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A query subscribing while the source already streams: {@code source.bootstrap(..)} reads a temporary slot's
 * snapshot while a writer keeps changing the table; the host then applies the stream's transactions whose
 * commit end LSN ({@link ChangeSink#onCommit}) is after the snapshot's consistent point. The result must be
 * exactly the table: no missing row, no duplicate Insert, no stale value (contract §5).
 */
@ExtendWith(PostgresExtension.class)
class LaterBootstrapHandoverTest {

    @Test
    void bootstrapWhileStreaming_filteredByCommitEndLsn_reproducesTableExactly(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("later_boot");
        db.execute(
                "CREATE TABLE acct (id int PRIMARY KEY, balance int, note text)",
                "INSERT INTO acct SELECT g, 0, 'seed' FROM generate_series(1, 3000) g");
        CommitRecordingSink sink = new CommitRecordingSink();
        RandomWriter writer = new RandomWriter("later-boot-writer", 3001, (r, keys) -> {
            int id = keys.any();
            switch (r.nextInt(4)) {
                case 0 -> db.execute("INSERT INTO acct VALUES (" + keys.fresh() + ", 1, 'new')");
                case 1 -> db.execute("UPDATE acct SET balance = balance + 1, note = 'upd' WHERE id = " + id);
                case 2 ->
                    db.executeInTransaction(
                            "UPDATE acct SET balance = balance + 10 WHERE id = " + id,
                            "INSERT INTO acct VALUES (" + keys.fresh() + ", 2, 'tx')",
                            "DELETE FROM acct WHERE id = " + keys.any());
                default -> db.execute("DELETE FROM acct WHERE id = " + id);
            }
        });
        try (PostgresReplicationSource source =
                running("src", config(db, "s_later_boot", "acct"), sink, Duration.ofSeconds(30))) {
            writer.start();
            Thread.sleep(700);
            List<SourceChange.Insert> snapshot = new ArrayList<>();
            BootstrapResult result = source.bootstrap(Set.of("acct"), snapshot::add, p -> {});
            Thread.sleep(700);
            writer.stop();
            assertThat(result.temporarySlot()).isTrue();
            assertThat(snapshot).hasSize((int) result.totalRows());

            Map<String, Map<String, ElementValue>> expected = DrasiState.expectedFromSelect(db, "acct");
            HandoverFilter filter = result.handoverFilter();
            DrasiState state = null;
            int kept = 0;
            int dropped = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                state = new DrasiState();
                state.apply(new ArrayList<>(snapshot));
                CommitRecordingSink.Handover h = sink.handover(filter);
                h.kept().forEach(state::apply);
                kept = h.kept().size();
                dropped = h.dropped();
                if (state.elements.equals(expected)) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(dropped).as("transactions already in the snapshot").isPositive();
            assertThat(kept).as("transactions after the snapshot").isPositive();
            assertThat(state.anomalies)
                    .as("duplicate Inserts / ghost Updates or Deletes")
                    .isEmpty();
            assertThat(state.elements).as("host state vs SELECT").isEqualTo(expected);
        }
    }
}

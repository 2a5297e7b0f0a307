package io.drasi.source.postgres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code on_table_removed: delete} on the held ids: a Delete for exactly the held elements of the tables that are
 * not configured, also when schema and table names contain the id's separator ({@code :}), its escape character
 * ({@code %}) or the character after {@code :} ({@code ;}), so a prefix can never match another table's ids.
 */
class RemovedTableDeletesTest {

    private static final TableId KEPT = TableId.of("public", "t");
    private static final TableId COLON_SCHEMA = TableId.of("a:b", "c");
    private static final TableId COLON_TABLE = TableId.of("a", "b:c");
    private static final TableId SEMICOLON = TableId.of("public", "t;");
    private static final TableId PERCENT = TableId.of("public", "t%3A");
    private static final TableId SPLIT_OF_KEPT = TableId.of("pub", "lic:t");

    @Test
    void deleteUnconfiguredTables_hostileNames_deletesExactlyTheRemovedTablesElements(@TempDir Path dir) {
        List<TableId> all = List.of(KEPT, COLON_SCHEMA, COLON_TABLE, SEMICOLON, PERCENT, SPLIT_OF_KEPT);
        try (HeldElements held = HeldElements.open(dir.resolve("o.held"))) {
            held.resetForNewSlot();
            List<PositionedChange> rows = new ArrayList<>();
            for (TableId t : all) {
                for (int i = 1; i <= 3; i++) {
                    rows.add(new PositionedChange(HeldElementsScale.insert(t, i), ChangePosition.bootstrapRow(0)));
                }
            }
            held.acknowledged(rows);
            assertThat(held.tablePrefixes()).hasSize(all.size());

            List<PositionedChange> delivered = new ArrayList<>();
            Resync deletes = new Resync(
                    "src",
                    held,
                    delivered::addAll,
                    new StatsCounter(Clock.systemUTC()),
                    List.of(KEPT, COLON_SCHEMA),
                    Lsn.of(100),
                    0,
                    2);
            Map<String, Long> perTable = deletes.deleteUnconfiguredTables(5L);

            assertThat(perTable.values()).hasSize(4).allMatch(n -> n == 3L);
            assertThat(delivered).hasSize(12).allMatch(pc -> pc.change() instanceof SourceChange.Delete);
            assertThat(delivered.stream()
                            .map(pc -> ((SourceChange.Delete) pc.change())
                                    .metadata()
                                    .elementId()
                                    .tableId())
                            .distinct())
                    .containsExactlyInAnyOrder(COLON_TABLE, SEMICOLON, PERCENT, SPLIT_OF_KEPT);
            assertThat(delivered.stream().map(PositionedChange::position).toList())
                    .as("increasing positions")
                    .isSorted()
                    .doesNotHaveDuplicates();
            assertThat(held.size())
                    .as("the removed tables' ids are no longer held")
                    .isEqualTo(6);
            assertThat(held.tablePrefixes()).containsExactly("a%3Ab:c:", "public:t:");
            assertThat(deletes.deleteUnconfiguredTables(6L))
                    .as("nothing left to delete")
                    .isEmpty();
        }
    }
}

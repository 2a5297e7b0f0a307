package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.ChangePosition;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.Node;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in a forked JVM (HeldElementsTest starts it with -Xmx256m): acknowledges {@code n} Inserts in batches of
 * 2048, reopens the store, runs a resync pass that sees 90 % of the ids and counts the rest. Prints one line
 * {@code ids=.. fileBytes=.. ackMs=.. resyncMs=.. unseen=.. peakHeapMb=..}.
 */
public final class HeldElementsScale {

    private HeldElementsScale() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        TableId table = TableId.of("public", "orders");
        long t0 = System.nanoTime();
        try (HeldElements held = HeldElements.open(file)) {
            held.resetForNewSlot();
            List<PositionedChange> batch = new ArrayList<>(2048);
            for (int i = 0; i < n; i++) {
                batch.add(new PositionedChange(insert(table, i), ChangePosition.bootstrapRow(i)));
                if (batch.size() == 2048) {
                    held.acknowledged(batch);
                    batch = new ArrayList<>(2048);
                }
            }
            held.acknowledged(batch);
        }
        long ackMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        AtomicLong unseen = new AtomicLong();
        try (HeldElements held = HeldElements.open(file)) {
            if (held.size() != n || !held.complete()) {
                throw new IllegalStateException(
                        "reopened store holds " + held.size() + " ids, complete " + held.complete());
            }
            held.beginResync("scale test");
            for (int i = 0; i < n; i++) {
                if (i % 10 != 0) {
                    String id =
                            ElementId.of(table, List.of(Integer.toString(i))).value();
                    if (held.hashOf(id) == null) {
                        throw new IllegalStateException("lost " + id);
                    }
                    held.seen(id);
                }
            }
            held.forEachUnseen(id -> unseen.incrementAndGet());
            held.endResync();
        }
        long resyncMs = (System.nanoTime() - t1) / 1_000_000;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("ids=" + n + " fileBytes=" + Files.size(file) + " ackMs=" + ackMs + " resyncMs=" + resyncMs
                + " unseen=" + unseen.get() + " peakHeapMb=" + peak / (1024 * 1024));
    }

    static SourceChange.Insert insert(TableId table, int i) {
        return new SourceChange.Insert(new Node(
                new ElementMetadata(
                        ElementId.of(table, List.of(Integer.toString(i))), "src", List.of(table.table()), 1L),
                Map.of("id", new ElementValue.IntValue(i), "status", new ElementValue.StringValue("open"))));
    }
}

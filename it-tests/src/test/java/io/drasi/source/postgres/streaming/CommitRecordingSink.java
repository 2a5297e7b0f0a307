package io.drasi.source.postgres.streaming;

import io.drasi.source.postgres.ChangeSink;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.bootstrap.HandoverFilter;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.model.SourceChange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records the stream's changes with their commit markers ({@link ChangeSink#onCommit}), so a test can hand a later
 * bootstrap over to the stream as a host does: whole transactions whose commit end LSN is after the snapshot's
 * consistent point. Thread-safe.
 */
final class CommitRecordingSink implements ChangeSink {

    /** A change (commitEndLsn null) or a commit marker (change null). */
    private record Event(long txId, SourceChange change, Lsn commitEndLsn) {}

    /** The committed transactions a host applies after a bootstrap, and how many it dropped. */
    record Handover(List<List<SourceChange>> kept, int dropped) {}

    private final List<Event> events = new ArrayList<>();

    @Override
    public synchronized void accept(List<PositionedChange> batch) {
        batch.forEach(c -> events.add(new Event(c.position().txId(), c.change(), null)));
    }

    @Override
    public synchronized void onCommit(long txId, Lsn commitEndLsn) {
        events.add(new Event(txId, null, commitEndLsn));
    }

    /** @return the committed transactions so far, split by {@code filter} */
    synchronized Handover handover(HandoverFilter filter) {
        Map<Long, List<SourceChange>> open = new LinkedHashMap<>();
        List<List<SourceChange>> kept = new ArrayList<>();
        int dropped = 0;
        for (Event e : events) {
            if (e.change() != null) {
                open.computeIfAbsent(e.txId(), k -> new ArrayList<>()).add(e.change());
            } else {
                List<SourceChange> tx = open.remove(e.txId());
                if (tx == null) {
                    continue;
                }
                if (filter.belongsAfterSnapshot(e.commitEndLsn())) {
                    kept.add(tx);
                } else {
                    dropped++;
                }
            }
        }
        return new Handover(kept, dropped);
    }
}

package io.drasi.source.postgres;

import io.drasi.source.postgres.model.SourceChange;
import java.util.Objects;

/**
 * One Drasi source change with its position in the replication stream.
 *
 * @param change   the Drasi change (Insert, Update, Delete or Truncate); never null
 * @param position where it sits in the stream, for ordering and deduplication; never null
 */
public record PositionedChange(SourceChange change, ChangePosition position) {

    /** Validates non-null components. */
    public PositionedChange {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(position, "position");
    }
}

package io.drasi.source.postgres.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drasi.source.postgres.core.Lsn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * What the reactivator keeps in the SDK's {@code StateStore} (key {@link #KEY}), written after every
 * published change and every completed transaction. It describes exactly what was published relative
 * to a point in the WAL that survives restarts:
 *
 * <ul>
 *   <li>{@code committedEnd}: commit end LSN of the last transaction whose every change was published
 *       ({@code ChangeSink.onCommit}); {@link Lsn#INVALID} before the first;</li>
 *   <li>{@code completedTxs}: transactions after {@code committedEnd}, in commit order, that were fully
 *       published but whose commit was not reported yet (normally 0; more only when a crash hits between
 *       a batch and its commit callbacks);</li>
 *   <li>{@code openTxId/openLsn/openOrdinal}: the transaction being published and its last published
 *       change (change LSN and ordinal are stable across redelivery), or none;</li>
 *   <li>{@code sequenceNumber}: the last sequenceNumber published.</li>
 * </ul>
 * JSON, e.g. {@code {"slot":"drasi_pg","committedEnd":"0/1A2B3C0","completedTxs":0,"openTxId":771,
 * "openLsn":"0/1A2B3F8","openOrdinal":0,"sequenceNumber":27406328}}.
 *
 * @param slot           replication slot the checkpoint belongs to; never null
 * @param committedEnd   see above; never null
 * @param completedTxs   see above, at least 0
 * @param openTxId       see above; null when no transaction is open
 * @param openLsn        see above; null when no transaction is open
 * @param openOrdinal    see above
 * @param sequenceNumber last sequenceNumber published (0 before the first change)
 */
public record Checkpoint(
        String slot,
        Lsn committedEnd,
        long completedTxs,
        Long openTxId,
        Lsn openLsn,
        long openOrdinal,
        long sequenceNumber) {

    /** State store key. */
    public static final String KEY = "drasi-pg-checkpoint";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates. */
    public Checkpoint {
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(committedEnd, "committedEnd");
        if ((openTxId == null) != (openLsn == null)) {
            throw new IllegalArgumentException("openTxId and openLsn go together");
        }
    }

    /** @return a checkpoint that publishes everything the slot delivers, continuing {@code sequenceNumber} */
    static Checkpoint fresh(String slot, long sequenceNumber) {
        return new Checkpoint(slot, Lsn.INVALID, 0, null, null, 0, sequenceNumber);
    }

    /** @return true when something after {@link #committedEnd} was published (a restart must skip it) */
    boolean hasPublishedAfterCommittedEnd() {
        return completedTxs > 0 || openTxId != null;
    }

    /** @return the JSON bytes to store */
    public byte[] toBytes() {
        ObjectNode o = JSON.createObjectNode();
        o.put("slot", slot);
        o.put("committedEnd", committedEnd.toString());
        o.put("completedTxs", completedTxs);
        if (openTxId != null) {
            o.put("openTxId", openTxId);
            o.put("openLsn", openLsn.toString());
            o.put("openOrdinal", openOrdinal);
        }
        o.put("sequenceNumber", sequenceNumber);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param bytes stored bytes, or null when nothing is stored
     * @return the checkpoint, empty when nothing is stored
     * @throws IllegalStateException when the stored value is not a checkpoint (never silently ignored:
     *                               a wrong checkpoint would drop or repeat changes)
     */
    public static Optional<Checkpoint> fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode o = JSON.readTree(bytes);
            for (String f : new String[] {"slot", "committedEnd", "completedTxs", "sequenceNumber"}) {
                if (!o.hasNonNull(f)) {
                    throw new IllegalStateException("missing " + f);
                }
            }
            boolean open = o.hasNonNull("openTxId");
            return Optional.of(new Checkpoint(
                    o.get("slot").asText(),
                    Lsn.parse(o.get("committedEnd").asText()),
                    o.get("completedTxs").asLong(),
                    open ? o.get("openTxId").asLong() : null,
                    open ? Lsn.parse(o.get("openLsn").asText()) : null,
                    o.path("openOrdinal").asLong(),
                    o.get("sequenceNumber").asLong()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "state store key " + KEY + " holds no valid checkpoint ("
                            + new String(bytes, StandardCharsets.UTF_8) + "): " + e.getMessage()
                            + "; delete the key to restart from the replication slot",
                    e);
        }
    }
}

package io.drasi.source.postgres.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.drasi.source.postgres.PositionedChange;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.mapping.json.ElementValueJson;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.SourceChange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * The element ids the consumer holds: every element whose Insert or Update the sink acknowledged and whose
 * Delete (or Truncate) it has not, each with a 64-bit hash of its properties. Kept durably beside the offset
 * store ({@code <offset_store>.held}, an H2 MVStore file; see docs/design/held-ids.md for the choice) for
 * {@code on_slot_loss: resync}, which compares a new snapshot against it, and {@code on_table_removed: delete}, which
 * deletes the elements of a removed table.
 *
 * <p>Crash safety: {@link #acknowledged} commits and syncs before it returns, and the batch handler calls it
 * after the sink returned and before the records are marked processed, so the store is never behind the stored
 * offsets (a batch repeated after a crash is applied again, which is idempotent). MVStore writes append-only
 * chunks with checksums; a torn last chunk is ignored on open, leaving the previous commit.
 *
 * <p>Besides the ids the store keeps two flags in its meta map: {@code complete} (the ids cover everything
 * delivered since the slot was created — false when resync was switched on for a slot with history) and
 * {@code resync} (a resync is under way: a start must run it again).
 *
 * <p>Thread-safety: all methods are synchronized; one writer (the delivery thread) at a time is expected.
 */
public final class HeldElements implements AutoCloseable {

    private static final JsonFactory JSON = new JsonFactory();
    private static final String COMPLETE = "complete";
    private static final String RESYNC = "resync";
    /** Cache for the B-tree pages in MB: the store's heap use is about this, whatever the number of ids. */
    private static final int CACHE_MB = 8;

    private final Path file;
    private final MVStore store;
    private final MVMap<String, Long> held;
    private final MVMap<String, Boolean> seen;
    private final MVMap<String, String> meta;
    private int uncommittedSeen;

    private HeldElements(Path file, MVStore store) {
        this.file = file;
        this.store = store;
        this.held = store.openMap("held");
        this.seen = store.openMap("seen");
        this.meta = store.openMap("flags");
    }

    /**
     * @param offsetFile the offset store file
     * @return the held-ids file beside it
     */
    public static Path fileBeside(Path offsetFile) {
        return offsetFile.resolveSibling(offsetFile.getFileName() + ".held");
    }

    /**
     * Opens (creating when missing) the store.
     *
     * @param file the store file; its directory must exist
     * @return the open store
     * @throws DrasiPostgresException naming the file and the fix when it cannot be opened
     */
    public static HeldElements open(Path file) {
        try {
            MVStore s = new MVStore.Builder()
                    .fileName(file.toString())
                    .cacheSize(CACHE_MB)
                    .autoCommitDisabled()
                    .compress()
                    .open();
            return new HeldElements(file, s);
        } catch (MVStoreException | IllegalStateException e) {
            throw new DrasiPostgresException(
                    "cannot open the held element ids " + file + " (on_slot_loss: resync, on_table_removed: delete): "
                            + e.getMessage()
                            + "; make the offset store directory writable, or remove the file together with"
                            + " the offset file and the slot to start afresh",
                    e);
        }
    }

    /** @return true when the file exists */
    public static boolean exists(Path file) {
        return Files.exists(file);
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return true when the ids cover everything delivered since the current slot was created */
    public synchronized boolean complete() {
        return "true".equals(meta.get(COMPLETE));
    }

    /**
     * Starts afresh for a new slot whose stream (and bootstrap, if any) starts now: no ids, complete.
     */
    public synchronized void resetForNewSlot() {
        held.clear();
        seen.clear();
        meta.put(COMPLETE, "true");
        meta.remove(RESYNC);
        commit();
    }

    /** @return the cause of a resync under way (recorded by {@link #beginResync}), if any */
    public synchronized Optional<String> resyncUnderWay() {
        return Optional.ofNullable(meta.get(RESYNC));
    }

    /**
     * Records that a resync starts (survives a crash: the next start runs it again) and forgets the ids seen by an
     * earlier, interrupted one.
     *
     * @param cause why, for the log
     */
    public synchronized void beginResync(String cause) {
        seen.clear();
        meta.put(RESYNC, cause);
        commit();
    }

    /** Records that the resync finished: the ids are complete for the new slot. */
    public synchronized void endResync() {
        seen.clear();
        meta.remove(RESYNC);
        meta.put(COMPLETE, "true");
        commit();
    }

    /** @return how many elements the consumer holds */
    public synchronized long size() {
        return held.sizeAsLong();
    }

    /**
     * @param elementId an element id
     * @return the hash of the properties the consumer holds for it, or null when it holds none
     */
    public synchronized Long hashOf(String elementId) {
        return held.get(elementId);
    }

    /** Notes that the current resync's snapshot has the element. Not committed until the next commit. */
    public synchronized void seen(String elementId) {
        seen.put(elementId, Boolean.TRUE);
        if (++uncommittedSeen >= 16_384) { // bounds the heap: MVStore keeps uncommitted pages in memory
            uncommittedSeen = 0;
            store.commit();
        }
    }

    /**
     * Calls {@code action} for every held element the current resync's snapshot did not have, in id order. The
     * iteration reads the ids as they were when it began, so {@code action} may acknowledge batches (removing
     * ids) meanwhile.
     */
    public synchronized void forEachUnseen(Consumer<String> action) {
        Iterator<String> it = held.keyIterator(null);
        while (it.hasNext()) {
            String id = it.next();
            if (!seen.containsKey(id)) {
                action.accept(id);
            }
        }
    }

    /**
     * Applies a batch the sink acknowledged (Insert/Update: held with the hash of its properties; Delete: not
     * held; Truncate: none of its table held), then commits and syncs.
     */
    public synchronized void acknowledged(List<PositionedChange> batch) {
        for (PositionedChange pc : batch) {
            apply(pc.change());
        }
        commit();
    }

    private void apply(SourceChange c) {
        c.fold(
                i -> held.put(
                        i.element().metadata().elementId().value(),
                        hash(i.element().properties())),
                u -> held.put(
                        u.element().metadata().elementId().value(),
                        hash(u.element().properties())),
                d -> held.remove(d.metadata().elementId().value()),
                t -> {
                    removePrefix(t.elementIdPrefix());
                    return null;
                },
                r -> null); // relations are not held: the config refuses foreign_key_relations with resync
    }

    /**
     * The {@code {schema}:{table}:} prefixes ({@code ElementId.prefix}) of the held elements, one per table: a skip
     * scan (one B-tree lookup per table, not per id). Element ids escape {@code :} inside names, so the prefix of an
     * id ends at its second {@code :}.
     *
     * @return the prefixes, in id order
     */
    public synchronized List<String> tablePrefixes() {
        List<String> out = new ArrayList<>();
        for (String k = held.ceilingKey(""); k != null; ) {
            int end = k.indexOf(':', k.indexOf(':') + 1);
            if (end < 0) {
                k = held.higherKey(k); // not an element id of a table row; never written
                continue;
            }
            String prefix = k.substring(0, end + 1);
            out.add(prefix);
            k = held.ceilingKey(prefix.substring(0, end) + (char) (':' + 1)); // past every id with this prefix
        }
        return out;
    }

    /**
     * Calls {@code action} for every held element whose id starts with {@code prefix}, in id order, reading the ids
     * as they were when it began ({@code action} may acknowledge batches meanwhile).
     */
    public synchronized void forEachWithPrefix(String prefix, Consumer<String> action) {
        Iterator<String> it = held.keyIterator(prefix);
        while (it.hasNext()) {
            String id = it.next();
            if (!id.startsWith(prefix)) {
                return;
            }
            action.accept(id);
        }
    }

    private void removePrefix(String prefix) {
        for (String k = held.ceilingKey(prefix); k != null && k.startsWith(prefix); k = held.higherKey(k)) {
            held.remove(k);
        }
    }

    private void commit() {
        try {
            store.commit();
            store.sync();
        } catch (MVStoreException e) {
            throw new DrasiPostgresException("cannot write the held element ids " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A 64-bit hash of properties, independent of their order: SHA-256 (first 8 bytes) of the canonical JSON of
     * the properties sorted by name. The stream and the bootstrap map a row through the same value table, so the
     * same row has the same hash whichever delivered it.
     *
     * @param properties the element's properties; never null
     * @return the hash
     */
    public static long hash(Map<String, ElementValue> properties) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            ElementValueJson.writeObject(g, new TreeMap<>(properties));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] d = sha256().digest(out.toByteArray());
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commits and closes the file. Idempotent. */
    @Override
    public synchronized void close() {
        if (!store.isClosed()) {
            store.close();
        }
    }
}

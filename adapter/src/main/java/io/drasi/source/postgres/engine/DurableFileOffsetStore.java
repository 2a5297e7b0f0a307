package io.drasi.source.postgres.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.debezium.embedded.KafkaConnectUtil;
import io.drasi.source.postgres.core.Lsn;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;

/**
 * Kafka Connect's file offset store, but crash-safe: each save writes a temporary file, forces it to disk
 * and renames it over the old one, so a process killed in the middle of a save leaves the previous offsets
 * intact. (Connect's own store truncates and rewrites the file in place; a SIGKILL during that write leaves
 * a torn file, which is read back as "no offsets" — the source then replays from the slot and, without
 * stored transaction context, positions of the replayed transaction do not match the first delivery.)
 * Same file format as Connect's store.
 *
 * <p>Internal: public only because the Debezium engine instantiates it by class name
 * ({@code offset.storage}). Thread-safety: saves run on the store's single executor thread.
 */
public final class DurableFileOffsetStore extends org.apache.kafka.connect.storage.FileOffsetBackingStore {

    private static final ObjectMapper OFFSET_JSON = new ObjectMapper();

    private Path file;

    /** Creates the store with Debezium's offset key converter. */
    public DurableFileOffsetStore() {
        super(KafkaConnectUtil.converterForOffsetStore());
    }

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        file = Path.of(config.getString("offset.storage.file.filename"));
    }

    /**
     * The commit LSN of the last transaction whose changes the stored offsets record as processed (Debezium's
     * {@code lsn_commit}, else {@code lsn}): the {@code previousCommitLsn} of the next streamed transaction.
     *
     * @param file a store written by this class or Connect's (same format); may not exist
     * @return that LSN; empty when the file is missing, empty or unreadable (the caller falls back to the slot)
     */
    public static Optional<Lsn> storedCommitLsn(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file);
                ObjectInputStream ois = new ObjectInputStream(in)) {
            ois.setObjectInputFilter(ObjectInputFilter.Config.createFilter("java.util.HashMap;[B;!*"));
            Lsn max = Lsn.INVALID;
            for (Object value : ((Map<?, ?>) ois.readObject()).values()) {
                if (value instanceof byte[] json) {
                    JsonNode offset = OFFSET_JSON.readTree(json);
                    JsonNode lsn = offset.has("lsn_commit") ? offset.get("lsn_commit") : offset.get("lsn");
                    if (lsn != null
                            && lsn.canConvertToLong()
                            && Lsn.of(lsn.asLong()).isAfter(max)) {
                        max = Lsn.of(lsn.asLong());
                    }
                }
            }
            return max.isValid() ? Optional.of(max) : Optional.empty();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            return Optional.empty();
        }
    }

    @Override
    protected void save() {
        Map<byte[], byte[]> raw = new HashMap<>();
        for (Map.Entry<ByteBuffer, ByteBuffer> e : data.entrySet()) {
            raw.put(
                    e.getKey() == null ? null : e.getKey().array(),
                    e.getValue() == null ? null : e.getValue().array());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                    ObjectOutputStream os = new ObjectOutputStream(fos)) {
                os.writeObject(raw);
                os.flush();
                fos.getFD().sync();
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ConnectException("cannot save offsets to " + file + ": " + e.getMessage(), e);
        }
    }
}

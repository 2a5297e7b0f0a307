package io.drasi.source.postgres.platform;

import io.drasi.source.sdk.StateStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-process {@link StateStore}: for local runs without Dapr ({@code DRASI_PG_DEBUG_PUBLISHER=true})
 * and tests. Values are copied in and out.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class MemoryStateStore implements StateStore {

    private final Map<String, byte[]> values = new ConcurrentHashMap<>();

    @Override
    public void put(String key, byte[] value) {
        values.put(key, value.clone());
    }

    @Override
    public byte[] get(String key) {
        byte[] v = values.get(key);
        return v == null ? null : v.clone();
    }

    @Override
    public void delete(String key) {
        values.remove(key);
    }
}

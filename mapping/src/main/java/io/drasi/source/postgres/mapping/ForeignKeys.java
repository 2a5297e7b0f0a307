package io.drasi.source.postgres.mapping;

import io.drasi.source.postgres.model.TableId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The foreign keys a source emits as relations, by child table ({@code foreign_key_relations}; see
 * {@link ForeignKey}). {@link #none()} when the option is off: nothing about nodes changes.
 *
 * <p>Thread-safety: immutable; safe for concurrent use. Nullability: arguments and results are never null.
 */
public final class ForeignKeys {

    private static final ForeignKeys NONE = new ForeignKeys(Map.of(), List.of());

    private final Map<TableId, List<ForeignKey>> byChild;
    private final List<ForeignKey> all;

    private ForeignKeys(Map<TableId, List<ForeignKey>> byChild, List<ForeignKey> all) {
        this.byChild = byChild;
        this.all = all;
    }

    /** @return no relations (the default) */
    public static ForeignKeys none() {
        return NONE;
    }

    /**
     * @param keys the foreign keys; child and parent tables qualified; at most one per (child, name)
     * @return the set
     * @throws IllegalArgumentException on two keys with the same name in one table
     */
    public static ForeignKeys of(Collection<ForeignKey> keys) {
        Map<TableId, List<ForeignKey>> byChild = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ForeignKey k : keys) {
            if (!seen.add(k.child() + "\u0000" + k.name())) {
                throw new IllegalArgumentException("two foreign keys named " + k.name() + " on " + k.child());
            }
            byChild.computeIfAbsent(k.child(), t -> new ArrayList<>()).add(k);
        }
        byChild.replaceAll((t, l) -> List.copyOf(l));
        return keys.isEmpty() ? NONE : new ForeignKeys(Map.copyOf(byChild), List.copyOf(keys));
    }

    /**
     * @param child a qualified table; never null
     * @return its foreign keys emitted as relations, in catalog order; empty when none
     */
    public List<ForeignKey> ofChild(TableId child) {
        return byChild.getOrDefault(Objects.requireNonNull(child, "child"), List.of());
    }

    /** @return every foreign key, in catalog order */
    public List<ForeignKey> all() {
        return all;
    }

    /** @return true when no foreign key is emitted */
    public boolean isEmpty() {
        return all.isEmpty();
    }
}

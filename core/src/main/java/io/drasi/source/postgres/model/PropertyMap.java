package io.drasi.source.postgres.model;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, insertion-ordered map of a row's properties backed by two parallel arrays (column names
 * and values). {@link Node} keeps it as it is instead of copying, which matters on the bootstrap hot path
 * (measured: building and copying a hash map per row was the top CPU item). Lookups scan the names, which
 * for rows of tens of columns is as fast as hashing.
 *
 * <p>Thread-safety: immutable once built — {@link #of} takes ownership of the arrays; the caller must not
 * change them afterwards (the names array may be shared by every row of a table). Nullability: no null
 * names or values (SQL NULL is {@link ElementValue#NULL}).
 */
public final class PropertyMap extends AbstractMap<String, ElementValue> {

    private final String[] names;
    private final ElementValue[] values;

    private PropertyMap(String[] names, ElementValue[] values) {
        this.names = names;
        this.values = values;
    }

    /**
     * @param names  column names, unique, in column order; never null; not modified afterwards
     * @param values values in the same order; never null; not modified afterwards
     * @return the map, owning both arrays
     */
    public static PropertyMap of(String[] names, ElementValue[] values) {
        if (names.length != values.length) {
            throw new IllegalArgumentException(names.length + " names but " + values.length + " values");
        }
        for (int i = 0; i < values.length; i++) {
            Objects.requireNonNull(values[i], names[i]);
        }
        return new PropertyMap(names, values);
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public ElementValue get(Object key) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(key)) {
                return values[i];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public Set<Map.Entry<String, ElementValue>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return names.length;
            }

            @Override
            public Iterator<Map.Entry<String, ElementValue>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < names.length;
                    }

                    @Override
                    public Map.Entry<String, ElementValue> next() {
                        if (i >= names.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, ElementValue> e = new SimpleImmutableEntry<>(names[i], values[i]);
                        i++;
                        return e;
                    }
                };
            }
        };
    }
}

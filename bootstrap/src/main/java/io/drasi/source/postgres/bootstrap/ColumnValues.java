package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.model.ElementValue;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A read-only, insertion-ordered view of one row (column names and values as parallel arrays), handed
 * to {@link io.drasi.source.postgres.mapping.model.Node}, which copies it. Avoids building a hash map
 * per row only to have it copied again (measured: map building was the top CPU item of the bootstrap).
 */
final class ColumnValues extends AbstractMap<String, ElementValue> {

    private final String[] names;
    private final ElementValue[] values;

    ColumnValues(String[] names, ElementValue[] values) {
        this.names = names;
        this.values = values;
    }

    @Override
    public int size() {
        return names.length;
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

package io.drasi.source.postgres.mapping;

import io.drasi.source.postgres.model.ElementId;
import io.drasi.source.postgres.model.ElementMetadata;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.PropertyMap;
import io.drasi.source.postgres.model.Relation;
import io.drasi.source.postgres.model.TableId;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A foreign key emitted as Drasi relations ({@code foreign_key_relations}): every row of {@code child} whose
 * foreign-key columns are all non-null has one relation from its node ({@code in_node}, the start) to the node of
 * the {@code parent} row it references ({@code out_node}, the end).
 *
 * <ul>
 *   <li>id: the child's node id plus the encoded constraint name ({@link ElementId#relation});</li>
 *   <li>labels: {@code [label]} (the constraint name unless {@code relation_labels} maps it);</li>
 *   <li>{@code out_node}: the parent's node id built from the foreign-key values with the one id encoder, so it
 *       equals the id of the parent row's node;</li>
 *   <li>properties: the foreign-key columns with the values the child's node has.</li>
 * </ul>
 *
 * <p>Only foreign keys whose referenced columns are exactly the parent's key (primary key or {@code table_keys})
 * are representable: {@code childColumns.get(i)} references {@code parentKeyColumns.get(i)}, and
 * {@code parentKeyColumns} is the parent's key in key order.
 *
 * <p>Thread-safety: immutable value. Nullability: no component is null.
 *
 * @param name             the constraint name (unique within the child table); never null
 * @param child            the qualified table holding the foreign key; never null
 * @param childColumns     the foreign-key columns, ordered like {@code parentKeyColumns}; never empty
 * @param parent           the qualified referenced table; never null
 * @param parentKeyColumns the parent's key columns in key order; same size as {@code childColumns}
 * @param label            the relation label; never null
 */
public record ForeignKey(
        String name,
        TableId child,
        List<String> childColumns,
        TableId parent,
        List<String> parentKeyColumns,
        String label) {

    /** Validates and copies. */
    public ForeignKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(child, "child");
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(label, "label");
        childColumns = List.copyOf(childColumns);
        parentKeyColumns = List.copyOf(parentKeyColumns);
        if (childColumns.isEmpty() || childColumns.size() != parentKeyColumns.size()) {
            throw new IllegalArgumentException("foreign key " + name + " of " + child + " needs as many columns ("
                    + childColumns + ") as the key of " + parent + " (" + parentKeyColumns + ")");
        }
    }

    /**
     * @param childId the node id of a child row; never null
     * @return the id of that row's relation for this foreign key
     */
    public ElementId relationId(ElementId childId) {
        return ElementId.relation(childId, name);
    }

    /**
     * @param childId         the node id of a child row; never null
     * @param sourceId        the Drasi source id; never null
     * @param effectiveFromMs when the change became effective, ms since the Unix epoch
     * @return the metadata of that row's relation (as a delete carries it, with the label)
     */
    public ElementMetadata metadata(ElementId childId, String sourceId, long effectiveFromMs) {
        return new ElementMetadata(relationId(childId), sourceId, List.of(label), effectiveFromMs);
    }

    /**
     * Builds the relation of one child row.
     *
     * @param childId         the node id of the child row; never null
     * @param parentKey       the canonical key components of the referenced row, in parent key order (the
     *                        foreign-key values, rendered by the same key encoder as the parent's own ids); no nulls
     * @param childProperties the child node's properties (the foreign-key columns are taken from them); never null
     * @param sourceId        the Drasi source id; never null
     * @param effectiveFromMs when the change became effective, ms since the Unix epoch
     * @return the relation
     */
    public Relation relation(
            ElementId childId,
            List<String> parentKey,
            Map<String, ElementValue> childProperties,
            String sourceId,
            long effectiveFromMs) {
        String[] names = new String[childColumns.size()];
        ElementValue[] values = new ElementValue[childColumns.size()];
        int n = 0;
        for (String column : childColumns) {
            ElementValue v = childProperties.get(column);
            if (v != null) {
                names[n] = column;
                values[n++] = v;
            }
        }
        Map<String, ElementValue> props =
                PropertyMap.of(java.util.Arrays.copyOf(names, n), java.util.Arrays.copyOf(values, n));
        return new Relation(
                metadata(childId, sourceId, effectiveFromMs), childId, ElementId.of(parent, parentKey), props);
    }

    /** @return e.g. {@code orders_customer_id_fkey: public.orders(customer_id) -> public.customers(id)} */
    public String describe() {
        return name + ": " + child + childColumns.stream().collect(java.util.stream.Collectors.joining(", ", "(", ")"))
                + " -> " + parent
                + parentKeyColumns.stream().collect(java.util.stream.Collectors.joining(", ", "(", ")"));
    }
}

package io.drasi.source.postgres.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A Drasi element id for a table row: {@code {schema}:{table}:{k1}[:{k2}...]}.
 *
 * <p>Every component is percent-encoded so the id is injective: {@code %} becomes {@code %25} and
 * {@code :} becomes {@code %3A}; nothing else is touched, so plain ids stay readable
 * ({@code public:users:1}). A NULL key component (possible only for configured, nullable key columns)
 * is written {@code %00}, a sequence the encoder never produces for a string.
 *
 * <p>A relation id ({@link #relation(ElementId, String)}) is its child row's node id plus one more encoded
 * component, the relation name; it never equals a node id.
 *
 * <p>Key components must already be canonical (see
 * {@code PgValueConverter.canonicalKey} in the mapping module) so that
 * bootstrap and streaming produce the same id for the same row.
 *
 * <p>Thread-safety: immutable value. Nullability: factory arguments and accessors are never null,
 * except key components, which may be null (SQL NULL).
 */
public final class ElementId {

    private static final String NULL_COMPONENT = "%00";

    private final String schema;
    private final String table;
    private final List<String> keyComponents;
    private final String relationName;
    private final String value;

    private ElementId(String schema, String table, List<String> keyComponents, String value) {
        this(schema, table, keyComponents, null, value);
    }

    private ElementId(String schema, String table, List<String> keyComponents, String relationName, String value) {
        this.schema = schema;
        this.table = table;
        this.keyComponents = keyComponents;
        this.relationName = relationName;
        this.value = value;
    }

    /**
     * @param schema                 the schema name; never null
     * @param table                  the table name; never null
     * @param canonicalKeyComponents canonical key values in key-column order; never null or empty;
     *                               elements may be null for SQL NULL
     * @return the id
     */
    public static ElementId of(String schema, String table, List<String> canonicalKeyComponents) {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(canonicalKeyComponents, "canonicalKeyComponents");
        if (canonicalKeyComponents.isEmpty()) {
            throw new IllegalArgumentException("an element id needs at least one key component");
        }
        StringBuilder sb = new StringBuilder(schema.length() + table.length() + 8 * canonicalKeyComponents.size() + 2);
        appendEncoded(sb, schema);
        sb.append(':');
        appendEncoded(sb, table);
        for (String k : canonicalKeyComponents) {
            sb.append(':');
            if (k == null) {
                sb.append(NULL_COMPONENT);
            } else {
                appendEncoded(sb, k);
            }
        }
        return new ElementId(
                schema, table, Collections.unmodifiableList(new ArrayList<>(canonicalKeyComponents)), sb.toString());
    }

    /**
     * @param table                  the (qualified) table; never null
     * @param canonicalKeyComponents see {@link #of(String, String, List)}
     * @return the id
     */
    public static ElementId of(TableId table, List<String> canonicalKeyComponents) {
        return of(requireQualified(table).schema(), table.table(), canonicalKeyComponents);
    }

    /**
     * The id of a relation that belongs to the row {@code child}: the child's node id plus one more
     * component, the encoded {@code relationName} (a foreign key's constraint name), e.g.
     * {@code public:orders:7:orders_customer_id_fkey}.
     *
     * <p>It can never equal a node id: a table's key has a fixed number of columns, so every node id of
     * the table has exactly that many key components and every relation id one more; ids of other tables
     * differ in their {@code schema:table:} prefix; and the encoding of each component is injective. It
     * starts with the child's {@link #prefix(TableId) table prefix}, so a TRUNCATE of the child covers it.
     *
     * @param child        the node id of the row holding the foreign key; must be a node id
     * @param relationName the relation's name within the child table (the constraint name); never null
     * @return the relation id
     */
    public static ElementId relation(ElementId child, String relationName) {
        Objects.requireNonNull(child, "child");
        Objects.requireNonNull(relationName, "relationName");
        if (child.relationName != null) {
            throw new IllegalArgumentException(
                    "a relation id is built from a node id, got relation id '" + child + "'");
        }
        StringBuilder sb = new StringBuilder(child.value.length() + relationName.length() + 1)
                .append(child.value)
                .append(':');
        appendEncoded(sb, relationName);
        return new ElementId(child.schema, child.table, child.keyComponents, relationName, sb.toString());
    }

    /**
     * Parses a relation id produced by {@link #relation(ElementId, String)}, given the node id of its child
     * (its {@code in_node}).
     *
     * @param encoded the relation id; never null
     * @param child   the encoded node id of the child row; never null
     * @return the id
     * @throws IllegalArgumentException when {@code encoded} is not a relation id of {@code child}
     */
    public static ElementId parseRelation(String encoded, String child) {
        Objects.requireNonNull(encoded, "encoded");
        ElementId node = parse(child);
        String head = node.value + ':';
        if (!encoded.startsWith(head) || encoded.indexOf(':', head.length()) >= 0) {
            throw new IllegalArgumentException("not a relation id of node '" + child + "': '" + encoded + "'");
        }
        ElementId id = relation(node, decode(encoded.substring(head.length()), encoded));
        if (!id.value.equals(encoded)) {
            throw new IllegalArgumentException("not a canonically encoded relation id: '" + encoded + "'");
        }
        return id;
    }

    /**
     * The prefix every element id of {@code table} starts with, {@code {schema}:{table}:} (encoded).
     * A host handling a {@link SourceChange.Truncate} deletes exactly the elements whose id has it.
     *
     * @param table the qualified table; never null
     * @return the prefix
     */
    public static String prefix(TableId table) {
        requireQualified(table);
        StringBuilder sb = new StringBuilder();
        appendEncoded(sb, table.schema());
        sb.append(':');
        appendEncoded(sb, table.table());
        return sb.append(':').toString();
    }

    /**
     * Parses an encoded id produced by {@link #toString()}.
     *
     * @param encoded the id; never null
     * @return the id
     * @throws IllegalArgumentException when the text is not an encoded element id
     */
    public static ElementId parse(String encoded) {
        Objects.requireNonNull(encoded, "encoded");
        String[] parts = encoded.split(":", -1);
        if (parts.length < 3) {
            throw new IllegalArgumentException("not an element id (expected schema:table:key...): '" + encoded + "'");
        }
        List<String> keys = new ArrayList<>(parts.length - 2);
        for (int i = 2; i < parts.length; i++) {
            keys.add(NULL_COMPONENT.equals(parts[i]) ? null : decode(parts[i], encoded));
        }
        ElementId id = new ElementId(
                decode(parts[0], encoded), decode(parts[1], encoded), Collections.unmodifiableList(keys), encoded);
        ElementId reencoded = of(id.schema, id.table, id.keyComponents);
        if (!reencoded.value.equals(encoded)) {
            throw new IllegalArgumentException("not a canonically encoded element id: '" + encoded + "'");
        }
        return id;
    }

    /** @return the schema name (decoded); never null */
    public String schema() {
        return schema;
    }

    /** @return the table name (decoded); never null */
    public String table() {
        return table;
    }

    /** @return the table this id belongs to; never null */
    public TableId tableId() {
        return TableId.of(schema, table);
    }

    /** @return for a {@linkplain #relation relation id} its relation name, else empty (a node id) */
    public java.util.Optional<String> relationName() {
        return java.util.Optional.ofNullable(relationName);
    }

    /**
     * @return the decoded key components (of the child row, for a relation id); unmodifiable; elements null for SQL
     * NULL
     */
    public List<String> keyComponents() {
        return keyComponents;
    }

    /** @return the encoded id, e.g. {@code public:users:1} */
    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ElementId other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /** @return the encoded id, e.g. {@code public:users:1} */
    @Override
    public String toString() {
        return value;
    }

    private static TableId requireQualified(TableId table) {
        Objects.requireNonNull(table, "table");
        if (!table.isQualified()) {
            throw new IllegalArgumentException("element ids need a schema-qualified table, got '" + table + "'");
        }
        return table;
    }

    private static void appendEncoded(StringBuilder sb, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                sb.append("%25");
            } else if (c == ':') {
                sb.append("%3A");
            } else {
                sb.append(c);
            }
        }
    }

    private static String decode(String s, String whole) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                sb.append(c);
            } else if (s.startsWith("%25", i)) {
                sb.append('%');
                i += 2;
            } else if (s.startsWith("%3A", i)) {
                sb.append(':');
                i += 2;
            } else {
                throw new IllegalArgumentException(
                        "bad escape in element id '" + whole + "' (only %25 and %3A are valid)");
            }
        }
        return sb.toString();
    }
}

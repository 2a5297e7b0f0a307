package io.drasi.source.postgres.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Names a PostgreSQL table: an optional schema and a table name, both as stored in the catalog
 * (already case-folded / unquoted).
 *
 * <p>{@link #parse(String)} accepts {@code table}, {@code schema.table} and double-quoted identifiers
 * such as {@code "My Schema"."Odd.Table"}; unquoted identifiers are folded to lower case like
 * PostgreSQL does, quoted ones are kept verbatim ({@code ""} inside quotes is one {@code "}).
 * {@link #toString()} renders {@code schema.table} for humans; {@link #toQuotedString()} renders a
 * form that is safe in SQL and parses back to an equal value.
 *
 * <p>Thread-safety: immutable value. Nullability: {@code schema} is null for an unqualified name
 * (which {@code TableKeys} (mapping module) treats as "this table in any schema");
 * {@code table} is never null or empty.
 *
 * @param schema the schema name, or null when unqualified; never empty
 * @param table  the table name; never null or empty
 */
public record TableId(String schema, String table) {

    /** Validates the components. */
    public TableId {
        Objects.requireNonNull(table, "table");
        if (table.isEmpty()) {
            throw new IllegalArgumentException("table name must not be empty");
        }
        if (schema != null && schema.isEmpty()) {
            throw new IllegalArgumentException("schema name must not be empty (use null for an unqualified table)");
        }
    }

    /**
     * @param schema schema name; never null
     * @param table  table name; never null
     * @return a qualified table id
     */
    public static TableId of(String schema, String table) {
        return new TableId(Objects.requireNonNull(schema, "schema"), table);
    }

    /**
     * Parses {@code table}, {@code schema.table}, with optional double quotes around either part.
     *
     * @param text the name; never null
     * @return the table id
     * @throws IllegalArgumentException when the text is not a (schema-qualified) table name
     */
    public static TableId parse(String text) {
        Objects.requireNonNull(text, "text");
        List<String> parts = new ArrayList<>(2);
        String s = text.strip();
        int i = 0;
        int n = s.length();
        while (true) {
            StringBuilder part = new StringBuilder();
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i < n && s.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '"') {
                        if (i < n && s.charAt(i) == '"') {
                            part.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        part.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted identifier in table name '" + text + "'");
                }
                while (i < n && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
            } else {
                while (i < n && s.charAt(i) != '.') {
                    char c = s.charAt(i++);
                    if (c == '"') {
                        throw new IllegalArgumentException("unexpected quote in table name '" + text + "'");
                    }
                    part.append(c);
                }
                String folded = part.toString().strip().toLowerCase(Locale.ROOT);
                part.setLength(0);
                part.append(folded);
            }
            if (part.length() == 0) {
                throw new IllegalArgumentException("empty identifier in table name '" + text + "'");
            }
            parts.add(part.toString());
            if (i == n) {
                break;
            }
            if (s.charAt(i) != '.') {
                throw new IllegalArgumentException("expected '.' after identifier in table name '" + text + "'");
            }
            i++;
        }
        if (parts.size() == 1) {
            return new TableId(null, parts.get(0));
        }
        if (parts.size() == 2) {
            return new TableId(parts.get(0), parts.get(1));
        }
        throw new IllegalArgumentException("expected 'table' or 'schema.table', got '" + text + "'");
    }

    /** @return true when a schema is given */
    public boolean isQualified() {
        return schema != null;
    }

    /** @return the same table without its schema */
    public TableId unqualified() {
        return schema == null ? this : new TableId(null, table);
    }

    /** @return {@code schema.table}, quoting each part only where PostgreSQL requires it */
    public String toQuotedString() {
        return schema == null ? quoteIfNeeded(table) : quoteIfNeeded(schema) + "." + quoteIfNeeded(table);
    }

    /** @return {@code schema.table} (or {@code table}) unquoted, for humans */
    @Override
    public String toString() {
        return schema == null ? table : schema + "." + table;
    }

    /**
     * The one SQL identifier quoter: every module splices identifiers into SQL through this.
     *
     * @param identifier a PostgreSQL identifier (table, schema, column, slot or publication name); never null
     * @return the identifier double-quoted, inner quotes doubled: safe to splice into SQL
     * @throws IllegalArgumentException when it contains a NUL character (PostgreSQL identifiers cannot)
     */
    public static String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains a NUL character");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * @param identifier a PostgreSQL identifier (table, schema or column name); never null
     * @return the identifier, double-quoted (inner quotes doubled) only where PostgreSQL requires it
     */
    public static String quoteIfNeeded(String identifier) {
        boolean plain = !identifier.isEmpty() && (Character.isLowerCase(identifier.charAt(0)) || identifier.charAt(0) == '_');
        for (int i = 0; plain && i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        }
        return plain ? identifier : quote(identifier);
    }
}

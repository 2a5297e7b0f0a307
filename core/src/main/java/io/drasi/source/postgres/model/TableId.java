package io.drasi.source.postgres.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

    /** The schema an unqualified name lives in for {@link #parseQualified(String)}. */
    public static final String DEFAULT_SCHEMA = "public";

    /** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    private static final String SYNTAX = "write table, schema.table, or quote odd names: \"Odd Schema\".\"T\"";

    /**
     * The one identifier parser. Parses {@code table} or {@code schema.table} with SQL's rules: each part is an
     * unquoted identifier (a letter or {@code _}, then letters, digits, {@code _}, {@code $}; ASCII letters folded to
     * lower case as PostgreSQL does) or a double-quoted one ({@code ""} inside for a quote; case, dots and spaces
     * kept). Blanks around a part are ignored.
     *
     * @param text the name; never null
     * @return the table id; unqualified when the text names no schema
     * @throws IllegalArgumentException saying what is wrong and how to write it
     */
    public static TableId parse(String text) {
        Objects.requireNonNull(text, "text");
        List<String> parts = new ArrayList<>(2);
        int i = 0;
        int n = text.length();
        while (true) {
            i = skipBlanks(text, i);
            if (i >= n) {
                throw new IllegalArgumentException("empty name part in '" + text + "'; " + SYNTAX);
            }
            StringBuilder part = new StringBuilder();
            if (text.charAt(i) == '"') {
                i = readQuoted(text, i + 1, part);
            } else {
                i = readPlain(text, i, part);
            }
            String p = part.toString();
            if (p.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
                throw new IllegalArgumentException("identifier longer than " + MAX_IDENTIFIER_BYTES + " bytes in '"
                        + text + "' (PostgreSQL would truncate it)");
            }
            parts.add(p);
            i = skipBlanks(text, i);
            if (i == n) {
                break;
            }
            if (text.charAt(i) != '.') {
                throw new IllegalArgumentException(
                        "unexpected character '" + text.charAt(i) + "' in '" + text + "'; " + SYNTAX);
            }
            i++;
        }
        if (parts.size() > 2) {
            throw new IllegalArgumentException(
                    "too many name parts in '" + text + "' (database.schema.table is not supported); " + SYNTAX);
        }
        return parts.size() == 1 ? new TableId(null, parts.get(0)) : new TableId(parts.get(0), parts.get(1));
    }

    /**
     * @param text the name, as for {@link #parse(String)}; never null
     * @return the table id, in schema {@value #DEFAULT_SCHEMA} when the text names no schema
     * @throws IllegalArgumentException as {@link #parse(String)}
     */
    public static TableId parseQualified(String text) {
        return parse(text).withDefaultSchema(DEFAULT_SCHEMA);
    }

    private static int skipBlanks(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int readQuoted(String text, int i, StringBuilder part) {
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i++);
            if (c != '"') {
                part.append(c);
            } else if (i < n && text.charAt(i) == '"') {
                part.append('"');
                i++;
            } else {
                if (part.length() == 0) {
                    throw new IllegalArgumentException("empty quoted identifier in '" + text + "'; " + SYNTAX);
                }
                if (part.charAt(0) == '"' || part.charAt(part.length() - 1) == '"') {
                    // Debezium takes such a name for an already quoted one and cannot parse its table ids
                    throw new IllegalArgumentException("a name that begins or ends with a double quote is not"
                            + " supported (the streaming engine, Debezium, cannot parse it); rename the "
                            + "table or schema");
                }
                return i;
            }
        }
        throw new IllegalArgumentException("unterminated quoted identifier in '" + text + "'; " + SYNTAX);
    }

    private static int readPlain(String text, int i, StringBuilder part) {
        char first = text.charAt(i);
        if (!(isLetter(first) || first == '_')) {
            throw new IllegalArgumentException("unexpected character '" + first + "' in '" + text + "'; " + SYNTAX);
        }
        while (i < text.length()) {
            char c = text.charAt(i);
            if (!(isLetter(c) || c == '_' || c == '$' || (c >= '0' && c <= '9'))) {
                break;
            }
            // PostgreSQL folds only ASCII letters of an unquoted identifier
            part.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
            i++;
        }
        return i;
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0x80 && Character.isLetter(c));
    }

    /**
     * @param defaultSchema the schema to use when this id has none; never null
     * @return this id when qualified, else the same table in {@code defaultSchema}
     */
    public TableId withDefaultSchema(String defaultSchema) {
        return schema != null ? this : of(defaultSchema, table);
    }

    /** @return {@code "schema"."table"} (or {@code "table"}), every part quoted: safe to splice into SQL */
    public String sql() {
        return schema == null ? quote(table) : quote(schema) + "." + quote(table);
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
        boolean plain =
                !identifier.isEmpty() && (Character.isLowerCase(identifier.charAt(0)) || identifier.charAt(0) == '_');
        for (int i = 0; plain && i < identifier.length(); i++) {
            char c = identifier.charAt(i);
            plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        }
        return plain ? identifier : quote(identifier);
    }
}

package io.drasi.source.postgres;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed {@code tables} / {@code table_keys[].table} entry. Syntax follows SQL: {@code table} or
 * {@code schema.table}; each part is either an unquoted identifier (letters, digits, {@code _},
 * {@code $}, not starting with a digit; folded to lower case as PostgreSQL does) or a double-quoted
 * identifier ({@code "Odd Schema"}, {@code ""} inside for a quote; case and spaces kept). An
 * unqualified table is in schema {@value #DEFAULT_SCHEMA}.
 *
 * @param schema the schema, as stored in the catalog; never null
 * @param table  the table, as stored in the catalog; never null
 */
record TableName(String schema, String table) {

    static final String DEFAULT_SCHEMA = "public";
    static final String SYNTAX = "write table, schema.table, or quote odd names: \"Odd Schema\".\"T\"";

    /** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server. */
    static final int MAX_IDENTIFIER_BYTES = 63;

    /**
     * @param text the configured entry; never null
     * @return the name
     * @throws IllegalArgumentException saying what is wrong and how to write it
     */
    static TableName parse(String text) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (true) {
            if (i >= n) {
                throw new IllegalArgumentException("empty name part; " + SYNTAX);
            }
            StringBuilder part = new StringBuilder();
            boolean quoted = text.charAt(i) == '"';
            if (quoted) {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            part.append('"');
                            i += 2;
                            continue;
                        }
                        closed = true;
                        i++;
                        break;
                    }
                    part.append(c);
                    i++;
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted identifier; " + SYNTAX);
                }
                if (part.length() == 0) {
                    throw new IllegalArgumentException("empty quoted identifier; " + SYNTAX);
                }
                if (part.charAt(0) == '"' || part.charAt(part.length() - 1) == '"') {
                    // Debezium takes such a name for an already quoted one and cannot parse its table ids
                    throw new IllegalArgumentException("a name that begins or ends with a double quote is not supported"
                            + " (the streaming engine, Debezium, cannot parse it); rename the table or schema");
                }
            } else {
                char first = text.charAt(i);
                if (!(isAsciiLetter(first) || first == '_')) {
                    throw new IllegalArgumentException("unexpected character '" + first + "'; " + SYNTAX);
                }
                while (i < n && text.charAt(i) != '.') {
                    char c = text.charAt(i);
                    if (!(isAsciiLetter(c) || c == '_' || c == '$' || (c >= '0' && c <= '9'))) {
                        throw new IllegalArgumentException("unexpected character '" + c + "'; " + SYNTAX);
                    }
                    part.append(c);
                    i++;
                }
            }
            String p = part.toString();
            if (!quoted) {
                p = p.toLowerCase(Locale.ROOT);
            }
            if (p.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
                throw new IllegalArgumentException("identifier longer than " + MAX_IDENTIFIER_BYTES
                        + " bytes (PostgreSQL would truncate it)");
            }
            parts.add(p);
            if (i == n) {
                break;
            }
            if (text.charAt(i) != '.') {
                throw new IllegalArgumentException("unexpected character '" + text.charAt(i) + "' after a quoted identifier; "
                        + SYNTAX);
            }
            i++;
        }
        if (parts.size() > 2) {
            throw new IllegalArgumentException("too many name parts (database.schema.table is not supported); " + SYNTAX);
        }
        return parts.size() == 1 ? new TableName(DEFAULT_SCHEMA, parts.get(0)) : new TableName(parts.get(0), parts.get(1));
    }

    /** @return {@code "schema"."table"}, always quoted, safe to splice into SQL */
    String sql() {
        return quote(schema) + "." + quote(table);
    }

    static String quote(String identifier) {
        return io.drasi.source.postgres.model.TableId.quote(identifier);
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}

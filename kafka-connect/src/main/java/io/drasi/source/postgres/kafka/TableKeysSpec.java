package io.drasi.source.postgres.kafka;

import io.drasi.source.postgres.mapping.TableKeys;
import io.drasi.source.postgres.model.TableId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the {@code table.keys} setting: entries separated by {@code ;}, each
 * {@code table:column[,column...]} where {@code table} is {@code name} or {@code schema.name} (either
 * part may be double-quoted, SQL style, to hold {@code .}, {@code :}, {@code ;} or {@code ,}); column
 * names may be double-quoted too. Example: {@code users:id;sales.orders:order_id,line_no}. The same
 * semantics as the library's {@code table_keys}: a qualified entry matches that table only, a bare one
 * a table of that name in any schema; key columns are used in the given order.
 *
 * <p>Thread-safety: stateless.
 */
final class TableKeysSpec {

    private TableKeysSpec() {}

    /**
     * @param text the setting; null or blank means none
     * @return table → key columns, in the given order (unquoted table names fold to lower case like
     *         PostgreSQL; column names are taken verbatim, as in the library's {@code table_keys})
     * @throws IllegalArgumentException with a message naming the bad entry
     */
    static Map<TableId, List<String>> parse(String text) {
        Map<TableId, List<String>> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String entry : split(text, ';')) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int colon = lastUnquoted(e, ':');
            if (colon <= 0 || colon == e.length() - 1) {
                throw new IllegalArgumentException("entry '" + e + "' must be table:column[,column...]");
            }
            String table = e.substring(0, colon).strip();
            TableId id;
            try {
                id = TableId.parse(table);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(
                        "entry '" + e + "': bad table name '" + table + "': " + ex.getMessage(), ex);
            }
            List<String> cols = new ArrayList<>();
            for (String c : split(e.substring(colon + 1), ',')) {
                String col = unquote(c.strip());
                if (col.isEmpty()) {
                    throw new IllegalArgumentException("entry '" + e + "' has an empty column name");
                }
                if (cols.contains(col)) {
                    throw new IllegalArgumentException("entry '" + e + "' names column '" + col + "' twice");
                }
                cols.add(col);
            }
            if (out.put(id, List.copyOf(cols)) != null) {
                throw new IllegalArgumentException("more than one entry for table '" + table + "'");
            }
        }
        return out;
    }

    /**
     * @param text the setting
     * @return the resolver
     * @throws IllegalArgumentException as {@link #parse(String)}
     */
    static TableKeys tableKeys(String text) {
        Map<TableId, List<String>> parsed = parse(text);
        return parsed.isEmpty() ? TableKeys.none() : TableKeys.of(parsed);
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') {
            String inner = s.substring(1, s.length() - 1);
            if (inner.replace("\"\"", "").contains("\"")) {
                throw new IllegalArgumentException("badly quoted column name " + s);
            }
            return inner.replace("\"\"", "\"");
        }
        if (s.indexOf('"') >= 0) {
            throw new IllegalArgumentException("badly quoted column name " + s);
        }
        return s;
    }

    private static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted; // "" inside quotes toggles twice: still quoted
            } else if (c == sep && !quoted) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unbalanced double quote in '" + s.strip() + "'");
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static int lastUnquoted(String s, char c) {
        boolean quoted = false;
        int last = -1;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == c && !quoted) {
                last = i;
            }
        }
        return last;
    }
}

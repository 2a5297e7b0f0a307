package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.model.TableId;

/** SQL helpers: identifier and literal quoting, session settings. Stateless. */
final class Sql {

    private Sql() {}

    /**
     * Applies session settings (e.g. the value table's required {@code DateStyle}, {@code TimeZone}) with
     * {@code set_config}, bound as parameters.
     */
    static void applySettings(java.sql.Connection c, java.util.Map<String, String> settings)
            throws java.sql.SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.set_config(?, ?, false)")) {
            for (java.util.Map.Entry<String, String> s : settings.entrySet()) {
                ps.setString(1, s.getKey());
                ps.setString(2, s.getValue());
                ps.execute();
            }
        }
    }

    /** @return {@code ident} as a double-quoted SQL identifier (embedded quotes doubled) */
    static String ident(String ident) {
        return TableId.quote(ident);
    }

    /** @return {@code "schema"."table"} */
    static String qualified(TableId t) {
        return ident(t.schema()) + "." + ident(t.table());
    }

    /** @return {@code text} as a single-quoted SQL literal (standard_conforming_strings assumed on) */
    static String literal(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("literal contains a NUL character");
        }
        return "'" + text.replace("'", "''") + "'";
    }

    /** @return a table's name for messages: {@code schema.table}, quoted only where needed */
    static String display(TableId t) {
        return displayPart(t.schema()) + "." + displayPart(t.table());
    }

    private static String displayPart(String s) {
        return s.matches("[a-z_][a-z0-9_$]*") ? s : ident(s);
    }
}

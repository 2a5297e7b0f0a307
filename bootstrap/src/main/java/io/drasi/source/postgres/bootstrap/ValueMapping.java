package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.model.ElementValue;
import io.drasi.source.postgres.mapping.value.PgColumnType;
import java.util.List;

/**
 * The seam to the mapping module's ONE value table: text value → {@link ElementValue}, key value →
 * canonical id component, and the session settings the text form depends on. The bootstrap never
 * converts values itself.
 */
interface ValueMapping {

    /** @return {@code SET} statements (without trailing semicolon) to run on the reading connection */
    List<String> sessionSettings();

    /**
     * @param type column type
     * @param text PostgreSQL text output, or null for SQL NULL
     * @return the Drasi value
     */
    ElementValue fromText(PgColumnType type, String text);

    /**
     * @param type  key column type
     * @param value its converted value
     * @return the canonical id component, the same one streaming renders
     */
    String canonicalKey(PgColumnType type, ElementValue value);
}

package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.value.PgColumnType;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.ElementValue;
import io.drasi.source.postgres.model.TableId;
import java.util.Map;

/**
 * The seam to the mapping module's ONE value table: text value → {@link ElementValue}, key text →
 * canonical id component, and the session settings the text form depends on. The bootstrap never
 * converts values itself; production uses {@link #of(PgValueConverter)}.
 */
interface ValueMapping {

    /** @return GUC name → value to set on the reading connection before the snapshot transaction */
    Map<String, String> sessionSettings();

    /**
     * @param table  the table
     * @param column the column name
     * @param type   column type
     * @param text   PostgreSQL text output, or null for SQL NULL
     * @return the Drasi value
     * @throws io.drasi.source.postgres.mapping.value.UnmappableValueException when the value cannot be converted
     *         and the converter's policy is to fail
     */
    ElementValue fromText(TableId table, String column, PgColumnType type, String text);

    /**
     * @param type key column type
     * @param text its PostgreSQL text output, or null for SQL NULL
     * @return the canonical id component, the same one streaming renders
     */
    String keyFromText(PgColumnType type, String text);

    /** @return the mapping backed by the converter (the same one streaming uses) */
    static ValueMapping of(PgValueConverter converter) {
        return new ValueMapping() {
            @Override
            public Map<String, String> sessionSettings() {
                return PgValueConverter.REQUIRED_SESSION_SETTINGS;
            }

            @Override
            public ElementValue fromText(TableId table, String column, PgColumnType type, String text) {
                return converter.columnFromText(table, column, type, text);
            }

            @Override
            public String keyFromText(PgColumnType type, String text) {
                return converter.keyFromText(type, text);
            }
        };
    }
}

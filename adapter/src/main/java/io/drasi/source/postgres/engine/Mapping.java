package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.mapping.ChangeMapper;
import io.drasi.source.postgres.mapping.ColumnTypes;
import io.drasi.source.postgres.mapping.ForeignKeys;
import io.drasi.source.postgres.mapping.TableKeys;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.mapping.value.UnmappableValueException;
import io.drasi.source.postgres.model.TableId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Builds the mapping layer's objects from the config and the preflight's resolved tables (one place). */
public final class Mapping {

    private Mapping() {}

    /**
     * @param onUnmappable told of each value delivered as text under {@code unmappable_values: text}
     * @return the one value converter of a source, shared by its stream, bootstrap and TOAST re-read
     */
    public static PgValueConverter converter(
            PostgresSourceConfig config, Consumer<UnmappableValueException> onUnmappable) {
        return new PgValueConverter(
                config.decimalAsString()
                        ? PgValueConverter.NumericMode.EXACT_STRING
                        : PgValueConverter.NumericMode.FLOAT,
                config.unmappableValues(),
                onUnmappable);
    }

    /** Key columns per table as resolved by the preflight (configured keys, else the primary key). */
    public static TableKeys tableKeys(List<Preflight.ResolvedTable> tables) {
        Map<TableId, List<String>> keys = new LinkedHashMap<>();
        for (Preflight.ResolvedTable t : tables) {
            keys.put(t.name(), t.keyColumns());
        }
        return TableKeys.of(keys);
    }

    /** The stream's mapper: keys as the preflight resolved them, relations for {@code foreignKeys}. */
    public static ChangeMapper mapper(
            String sourceId,
            PgValueConverter converter,
            List<Preflight.ResolvedTable> tables,
            ColumnTypes columnTypes,
            ForeignKeys foreignKeys) {
        return new ChangeMapper(sourceId, tableKeys(tables), converter, columnTypes, foreignKeys);
    }

    /** The Debezium properties the value table relies on. */
    public static Map<String, String> engineProperties() {
        return PgValueConverter.REQUIRED_DEBEZIUM_PROPERTIES;
    }
}

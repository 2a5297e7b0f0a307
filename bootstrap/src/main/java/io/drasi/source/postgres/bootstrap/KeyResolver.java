package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.mapping.model.TableId;
import java.util.List;

/** The seam to the mapping module's key resolution (configured keys, else the primary key). */
@FunctionalInterface
interface KeyResolver {

    /**
     * @param table      schema-qualified table
     * @param primaryKey its primary key columns from the catalog, possibly empty
     * @return the key columns in id order; never empty
     * @throws io.drasi.source.postgres.mapping.MissingKeyException when there is no usable key
     */
    List<String> keyColumns(TableId table, List<String> primaryKey);
}

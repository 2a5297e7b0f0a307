package io.drasi.source.postgres.it.bootstrap;

import io.drasi.source.postgres.bootstrap.BootstrapProvider;
import io.drasi.source.postgres.bootstrap.BootstrapSink;
import io.drasi.source.postgres.bootstrap.ConnectionSettings;
import io.drasi.source.postgres.core.SslMode;
import io.drasi.source.postgres.mapping.TableKeys;
import io.drasi.source.postgres.mapping.value.PgValueConverter;
import io.drasi.source.postgres.model.SourceChange;
import io.drasi.source.postgres.model.TableId;
import io.drasi.source.postgres.testing.PostgresServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared test setup for bootstrap integration tests. */
final class Bootstraps {

    private static final AtomicInteger SLOTS = new AtomicInteger();

    private Bootstraps() {}

    static ConnectionSettings settings(PostgresServer db) {
        return ConnectionSettings.builder()
                .host(db.host())
                .port(db.port())
                .database(db.database())
                .user(db.user())
                .password(db.password())
                .sslMode(SslMode.DISABLE)
                .build();
    }

    static String slotName(String prefix) {
        return (prefix + "_" + ProcessHandle.current().pid() + "_" + SLOTS.incrementAndGet()).toLowerCase();
    }

    /** A provider with the real converter and primary keys (or the given configured keys). */
    static BootstrapProvider.Builder provider(
            PostgresServer db, List<TableId> tables, Map<TableId, List<String>> configuredKeys) {
        return BootstrapProvider.builder(settings(db))
                .sourceId("pg-source")
                .tables(tables)
                .tableKeys(TableKeys.of(configuredKeys));
    }

    static BootstrapProvider.Builder provider(PostgresServer db, TableId... tables) {
        return provider(db, List.of(tables), Map.of());
    }

    /** Collects inserts (only for small tables). */
    static final class Collector implements BootstrapSink {
        final List<SourceChange.Insert> inserts = new ArrayList<>();

        @Override
        public void accept(SourceChange.Insert insert) {
            inserts.add(insert);
        }

        List<String> ids() {
            return inserts.stream()
                    .map(i -> i.element().metadata().elementId().toString())
                    .sorted()
                    .toList();
        }

        /** element id → property → value rendered like a key (ints in decimal, strings as is, NULL as null) */
        Map<String, Map<String, String>> rows() {
            Map<String, Map<String, String>> m = new LinkedHashMap<>();
            for (SourceChange.Insert i : inserts) {
                Map<String, String> props = new LinkedHashMap<>();
                i.element().properties().forEach((k, v) -> props.put(k, PgValueConverter.canonicalKey(v)));
                m.put(i.element().metadata().elementId().toString(), props);
            }
            return m;
        }
    }
}

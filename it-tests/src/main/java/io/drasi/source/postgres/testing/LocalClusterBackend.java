package io.drasi.source.postgres.testing;

import io.drasi.source.postgres.local.LocalPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A throwaway cluster from the local PostgreSQL server binaries, started by {@link LocalPostgres} (module
 * {@code local-postgres}, shared with the CLI's {@code demo}): {@code wal_level=logical}, a free port on
 * 127.0.0.1, SCRAM passwords over TCP, run as the {@code postgres} OS user when the JVM is root. Stopped
 * (fast) and deleted on close and by a shutdown hook.
 */
final class LocalClusterBackend implements Backend {

    private final LocalPostgres cluster;

    private LocalClusterBackend(LocalPostgres cluster) {
        this.cluster = cluster;
    }

    /** Finds the newest server bin directory: DRASI_PG_BIN, /usr/lib/postgresql/N/bin, {@code pg_config --bindir}. */
    static Path findBinDir(Map<String, String> env, List<String> tried) {
        return LocalPostgres.findBinDir(env, tried).orElse(null);
    }

    static LocalClusterBackend start(Path binDir) {
        // the whole suite leaves many (inactive) slots behind: one per test database
        return new LocalClusterBackend(LocalPostgres.builder(binDir)
                .setting("max_replication_slots", "200")
                .setting("max_wal_senders", "60")
                .setting("max_connections", "200")
                .start());
    }

    @Override
    public boolean canRestart() {
        return true;
    }

    @Override
    public void restart(PostgresServer.ShutdownMode mode) {
        cluster.restart(mode == PostgresServer.ShutdownMode.IMMEDIATE);
    }

    @Override
    public String host() {
        return cluster.host();
    }

    @Override
    public int port() {
        return cluster.port();
    }

    @Override
    public String user() {
        return cluster.user();
    }

    @Override
    public String password() {
        return cluster.password();
    }

    @Override
    public String defaultDatabase() {
        return cluster.defaultDatabase();
    }

    @Override
    public String describe() {
        return cluster.describe();
    }

    /** @return the data directory (for tests that edit pg_hba.conf or postgresql.conf) */
    Path dataDir() {
        return cluster.dataDir();
    }

    @Override
    public void close() {
        cluster.close();
    }
}

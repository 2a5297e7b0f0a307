package io.drasi.source.postgres.testing;

/** A way the harness obtained a server. Package-private; tests see {@link PostgresServer}. */
interface Backend extends AutoCloseable {

    String host();

    int port();

    String user();

    String password();

    String defaultDatabase();

    String describe();

    default boolean canRestart() {
        return false;
    }

    default void restart(PostgresServer.ShutdownMode mode) {
        throw new UnsupportedOperationException("the harness does not control this server (" + describe()
                + "), so it cannot restart it; run with a harness-started cluster (unset DRASI_PG_URL/PGHOST)");
    }

    @Override
    void close();
}

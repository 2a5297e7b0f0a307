package io.drasi.source.postgres.testing;

import io.drasi.source.postgres.local.PgUrl;

import java.util.Map;

/** A server given by the environment ({@code DRASI_PG_URL} or {@code PG*} variables); never started or stopped here. */
final class ExternalBackend implements Backend {

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String database;
    private final String origin;

    ExternalBackend(String host, int port, String user, String password, String database, String origin) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
        this.origin = origin;
    }

    /**
     * Parses {@code jdbc:postgresql://host[:port]/db?user=u&password=p} (credentials may also come
     * from PGUSER/PGPASSWORD).
     */
    static ExternalBackend fromJdbcUrl(String url, Map<String, String> env) {
        PgUrl u = PgUrl.parse(url, env);
        return new ExternalBackend(u.host(), u.port(), u.user(), u.password(), u.database(),
                "DRASI_PG_URL " + PgUrl.masked(url));
    }

    static ExternalBackend fromPgEnv(Map<String, String> env) {
        String host = env.get("PGHOST");
        int port = Integer.parseInt(env.getOrDefault("PGPORT", "5432"));
        return new ExternalBackend(host, port, env.getOrDefault("PGUSER", "postgres"), env.getOrDefault("PGPASSWORD", ""),
                env.getOrDefault("PGDATABASE", "postgres"), "PGHOST=" + host + " PGPORT=" + port);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public String defaultDatabase() {
        return database;
    }

    @Override
    public String describe() {
        return origin;
    }

    @Override
    public void close() {
        // not ours to stop
    }
}

package io.drasi.source.postgres.testing;

import io.drasi.source.postgres.local.PgUrl;
import java.util.Map;

/**
 * A server given by the environment ({@code DRASI_PG_URL} or {@code PG*} variables); never started or stopped here.
 *
 * @param defaultDatabase the database to connect to
 * @param describe        where the server came from (no password), for messages
 */
record ExternalBackend(String host, int port, String user, String password, String defaultDatabase, String describe)
        implements Backend {

    /**
     * Parses {@code jdbc:postgresql://host[:port]/db?user=u&password=p} (credentials may also come
     * from PGUSER/PGPASSWORD).
     */
    static ExternalBackend fromJdbcUrl(String url, Map<String, String> env) {
        PgUrl u = PgUrl.parse(url, env);
        return new ExternalBackend(
                u.host(), u.port(), u.user(), u.password(), u.database(), "DRASI_PG_URL " + PgUrl.masked(url));
    }

    static ExternalBackend fromPgEnv(Map<String, String> env) {
        String host = env.get("PGHOST");
        int port = Integer.parseInt(env.getOrDefault("PGPORT", "5432"));
        return new ExternalBackend(
                host,
                port,
                env.getOrDefault("PGUSER", "postgres"),
                env.getOrDefault("PGPASSWORD", ""),
                env.getOrDefault("PGDATABASE", "postgres"),
                "PGHOST=" + host + " PGPORT=" + port);
    }

    /** @return where the server came from; never the password */
    @Override
    public String toString() {
        return describe;
    }

    @Override
    public void close() {
        // not ours to stop
    }
}

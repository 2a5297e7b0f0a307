package io.drasi.source.postgres.testing;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("DRASI_PG_URL must look like jdbc:postgresql://host:port/db?user=u&password=p, got: "
                    + url.replaceAll("password=[^&]*", "password=***"));
        }
        URI uri = URI.create(url.substring("jdbc:".length()));
        Map<String, String> params = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    params.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        String user = params.getOrDefault("user", env.getOrDefault("PGUSER", "postgres"));
        String pw = params.getOrDefault("password", env.getOrDefault("PGPASSWORD", ""));
        return new ExternalBackend(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5432, user, pw, db,
                "DRASI_PG_URL " + url.replaceAll("password=[^&]*", "password=***"));
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

package io.drasi.source.postgres.local;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A PostgreSQL server given as {@code DRASI_PG_URL}: {@code jdbc:postgresql://host[:port][/db]?user=u&password=p},
 * with user and password falling back to {@code PGUSER}/{@code PGPASSWORD}. Shared by the test harness and
 * {@code drasi-pg demo}.
 *
 * @param host     host name or address; never null
 * @param port     TCP port (5432 when absent)
 * @param database database ({@code postgres} when absent); never null
 * @param user     role ({@code postgres} when absent); never null
 * @param password password ({@code ""} when absent); never null — never printed by {@link #toString()}
 */
public record PgUrl(String host, int port, String database, String user, String password) {

    /** Validates non-null components. */
    public PgUrl {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /**
     * @param url the JDBC URL; never null
     * @param env environment for PGUSER/PGPASSWORD fallbacks; never null
     * @return the parsed server
     * @throws IllegalArgumentException when the URL is not a {@code jdbc:postgresql://} URL (the message masks
     *                                  the password)
     */
    public static PgUrl parse(String url, Map<String, String> env) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException(
                    "DRASI_PG_URL must look like jdbc:postgresql://host:port/db?user=u&password=p," + " got: "
                            + masked(url));
        }
        URI uri = URI.create(url.substring("jdbc:".length()));
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("DRASI_PG_URL has no host: " + masked(url));
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    params.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1
                ? "postgres"
                : uri.getPath().substring(1);
        return new PgUrl(
                uri.getHost(),
                uri.getPort() > 0 ? uri.getPort() : 5432,
                db,
                params.getOrDefault("user", env.getOrDefault("PGUSER", "postgres")),
                params.getOrDefault("password", env.getOrDefault("PGPASSWORD", "")));
    }

    /**
     * @param url a JDBC URL
     * @return it with the password parameter masked, for messages
     */
    public static String masked(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }

    /**
     * @param db a database on the same server
     * @return its JDBC URL without credentials
     */
    public String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + db;
    }

    @Override
    public String toString() {
        return "PgUrl[" + user + "@" + host + ":" + port + "/" + database + ", password=****]";
    }
}

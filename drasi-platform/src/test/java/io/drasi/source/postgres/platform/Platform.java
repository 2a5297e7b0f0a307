package io.drasi.source.postgres.platform;

import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.testing.PostgresServer;
import java.util.HashMap;
import java.util.Map;

/** Test set-up: the environment the platform would pass for a test database. */
final class Platform {

    static final String SOURCE_ID = "pg-platform-test"; // = env SOURCE_ID set by surefire

    private Platform() {}

    /** Platform-style env for {@code db}, slot named after the (unique) database. */
    static Map<String, String> env(PostgresServer db, String tables) {
        Map<String, String> env = new HashMap<>();
        env.put("SOURCE_ID", SOURCE_ID);
        env.put("host", db.host());
        env.put("port", Integer.toString(db.port()));
        env.put("user", db.user());
        env.put("password", db.password());
        env.put("database", db.database());
        env.put("tables", tables);
        env.put("ssl", "false");
        env.put("slotName", db.database());
        return env;
    }

    static PostgresSourceConfig config(PostgresServer db, String tables) {
        return PlatformConfig.fromEnv(env(db, tables)).toBuilder()
                .withReconnectBackoffInitial(java.time.Duration.ofMillis(200))
                .withReconnectBackoffMax(java.time.Duration.ofSeconds(2))
                .build();
    }
}

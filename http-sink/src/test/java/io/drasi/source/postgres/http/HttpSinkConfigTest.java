package io.drasi.source.postgres.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpSinkConfigTest {

    @Test
    void build_defaultsAndUrlNormalisation() {
        HttpSinkConfig c = HttpSinkConfig.builder("http://drasi:8080/sources/pg-source/events/batch")
                .build();
        assertThat(c.url().toString()).isEqualTo("http://drasi:8080/sources/pg-source");
        assertThat(c.batchUrl().toString()).isEqualTo("http://drasi:8080/sources/pg-source/events/batch");
        assertThat(c.sourceId()).isEqualTo("pg-source");
        assertThat(c.maxBatchEvents()).isEqualTo(1000);
        assertThat(c.maxRetries()).isEqualTo(-1);
        assertThat(c.onTruncate()).isEqualTo(TruncatePolicy.FAIL);
        assertThat(c.bearerToken()).isEmpty();
        assertThat(HttpSinkConfig.builder("HTTPS://drasi/prefix/sources/s1/")
                        .build()
                        .url()
                        .toString())
                .isEqualTo("https://drasi/prefix/sources/s1");
        assertThat(HttpSinkConfig.builder("http://drasi:8080/sources/pg-source/events")
                        .build()
                        .url()
                        .toString())
                .isEqualTo("http://drasi:8080/sources/pg-source");
        assertThat(c.toBuilder().withMaxBatchEvents(5).build().maxBatchEvents()).isEqualTo(5);
    }

    @Test
    void build_everyProblemAtOnce_tokenNeverEchoed() {
        assertThatThrownBy(() -> HttpSinkConfig.builder("ftp://u:pw@host/x?y=1")
                        .withToken("bad token")
                        .withMaxBatchEvents(0)
                        .withMaxBatchWait(Duration.ofMillis(-1))
                        .withRequestTimeout(Duration.ZERO)
                        .withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))
                        .withMaxRetries(-2)
                        .withOnTruncate(null)
                        .build())
                .isInstanceOfSatisfying(
                        HttpSinkConfigException.class,
                        e -> assertThat(e.problems())
                                .hasSize(11)
                                .anySatisfy(p -> assertThat(p).startsWith("url: scheme 'ftp'"))
                                .anySatisfy(p -> assertThat(p).contains("must not contain credentials"))
                                .anySatisfy(p -> assertThat(p).contains("query or fragment"))
                                .anySatisfy(p -> assertThat(p).contains("does not name a source"))
                                .anySatisfy(p -> assertThat(p).startsWith("token:"))
                                .anySatisfy(p -> assertThat(p).startsWith("maxBatchEvents:"))
                                .anySatisfy(p -> assertThat(p).startsWith("maxBatchWait:"))
                                .anySatisfy(p -> assertThat(p).startsWith("requestTimeout:"))
                                .anySatisfy(p -> assertThat(p).startsWith("backoffMax:"))
                                .anySatisfy(p -> assertThat(p).startsWith("maxRetries:"))
                                .anySatisfy(p -> assertThat(p).startsWith("onTruncate:")))
                .hasMessageNotContaining("bad token")
                .hasMessageNotContaining(":pw@");
        assertThatThrownBy(() -> HttpSinkConfig.builder(null).build())
                .isInstanceOf(HttpSinkConfigException.class)
                .hasMessageContaining("url: missing");
        assertThatThrownBy(() -> HttpSinkConfig.builder("http://h:8080/").build())
                .hasMessageContaining("does not name a source");
        assertThatThrownBy(
                        () -> HttpSinkConfig.builder("http://h :8080/sources/x").build())
                .hasMessageContaining("is not a valid URL");
    }

    @Test
    void toString_masksToken() {
        HttpSinkConfig c = HttpSinkConfig.builder("http://h/sources/s")
                .withToken("abc.def")
                .build();
        assertThat(c.toString()).contains("token=****").doesNotContain("abc.def");
        assertThat(c.bearerToken()).hasValue("abc.def");
        assertThat(HttpSinkConfig.builder("http://h/sources/s")
                        .withTokenFromEnv("DRASI_TEST_SURELY_UNSET_VAR")
                        .build()
                        .bearerToken())
                .isEmpty();
    }
}

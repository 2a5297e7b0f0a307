package io.drasi.source.postgres.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

    @Test
    void parse_text_roundTrips() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.asLong()).isEqualTo(0x16B374D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(Lsn.of(0)).isSameAs(Lsn.INVALID);
        assertThat(Lsn.INVALID.isValid()).isFalse();
        assertThat(lsn.isValid()).isTrue();
    }

    @Test
    void compareTo_unsigned_ordersHighBitLast() {
        Lsn high = Lsn.of(0xFFFFFFFF00000000L);
        Lsn low = Lsn.of(1);
        assertThat(high.isAfter(low)).isTrue();
        assertThat(low.isAfter(high)).isFalse();
        assertThat(Lsn.of(5)).isEqualTo(Lsn.of(5)).hasSameHashCodeAs(Lsn.of(5)).isNotEqualTo(Lsn.of(6));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "0/", "/1", "123456789/0", "0/123456789", "x/1"})
    void parse_malformed_rejected(String text) {
        assertThatThrownBy(() -> Lsn.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}

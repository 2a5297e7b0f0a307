package io.drasi.source.postgres.mapping.value;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.mapping.ValueTableFixture;
import io.drasi.source.postgres.mapping.ValueTableFixture.Column;
import io.drasi.source.postgres.model.ElementValue;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** For every row of the value table: bootstrap (text) and streaming (Connect) give the same value and key. */
class ValueParityTest {

    static Stream<Arguments> columns() {
        return ValueTableFixture.columns().stream().map(c -> Arguments.of(c.name(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("columns")
    void fromText_sameValueAsFromConnect_equal(String name, Column c) {
        for (PgValueConverter converter : new PgValueConverter[] {
            PgValueConverter.DEFAULT, new PgValueConverter(PgValueConverter.NumericMode.EXACT_STRING)
        }) {
            ElementValue streamed = converter.fromConnect(c.schema(), c.connectValue());
            ElementValue bootstrapped = converter.fromText(c.type(), c.pgText());
            assertThat(bootstrapped)
                    .as("%s (%s)", name, converter.numericMode())
                    .isEqualTo(streamed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("columns")
    void keyFromText_sameValueAsKeyFromConnect_equal(String name, Column c) {
        PgValueConverter converter = PgValueConverter.DEFAULT;
        assertThat(converter.keyFromText(c.type(), c.pgText()))
                .as(name)
                .isEqualTo(converter.keyFromConnect(c.schema(), c.connectValue()));
    }
}

package io.drasi.source.postgres.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drasi.source.postgres.core.Lsn;
import org.junit.jupiter.api.Test;

class HandoverFilterTest {

    private static final Lsn POINT = Lsn.of(1000);

    @Test
    void belongsAfterSnapshot_perChange_decidedByTheSnapshotsTransactionsUnlessTheChangeIsAfterThePoint() {
        HandoverFilter f = HandoverFilter.after(POINT, TransactionSnapshot.parse("100:110:103,107"));

        assertThat(f.belongsAfterSnapshot(99, Lsn.of(900)))
                .as("committed before xmin")
                .isFalse();
        assertThat(f.belongsAfterSnapshot(105, Lsn.of(900)))
                .as("committed, below xmax")
                .isFalse();
        assertThat(f.belongsAfterSnapshot(103, Lsn.of(900)))
                .as("in progress at the snapshot")
                .isTrue();
        assertThat(f.belongsAfterSnapshot(110, Lsn.of(900)))
                .as("started after the snapshot")
                .isTrue();
        assertThat(f.belongsAfterSnapshot(99, Lsn.of(1001)))
                .as("a change after the point")
                .isTrue();
        assertThat(f.belongsAfterSnapshot(Lsn.of(1000))).isFalse();
        assertThat(f.belongsAfterSnapshot(Lsn.of(1001))).isTrue();
    }

    @Test
    void transactionSnapshot_epochAndWraparound_32BitIdsMappedNearXmax() {
        long epoch = 1L << 32;
        TransactionSnapshot s =
                TransactionSnapshot.parse((epoch - 5) + ":" + (epoch + 5) + ":" + (epoch - 2) + "," + (epoch + 1));

        assertThat(s.sees(0xFFFFFFFAL)).as("epoch 0, before xmin").isTrue();
        assertThat(s.sees(0xFFFFFFFCL)).as("epoch 0, committed").isTrue();
        assertThat(s.sees(0xFFFFFFFEL)).as("epoch 0, in progress").isFalse();
        assertThat(s.sees(0)).as("epoch 1, committed").isTrue();
        assertThat(s.sees(1)).as("epoch 1, in progress").isFalse();
        assertThat(s.sees(5)).as("epoch 1, at xmax").isFalse();
        assertThat(s).hasToString((epoch - 5) + ":" + (epoch + 5) + ":" + (epoch - 2) + "," + (epoch + 1));
    }

    @Test
    void parse_toString_roundTrips_withAndWithoutSnapshot() {
        HandoverFilter with = HandoverFilter.after(POINT, TransactionSnapshot.parse("7:9:"));
        HandoverFilter without = HandoverFilter.after(POINT);

        assertThat(HandoverFilter.parse(with.toString()).toString()).isEqualTo(with.toString());
        assertThat(HandoverFilter.parse(without.toString()).toString()).isEqualTo(without.toString());
        assertThatThrownBy(() -> without.belongsAfterSnapshot(7, Lsn.of(5))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> HandoverFilter.parse("0/3E8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TransactionSnapshot.parse("9:7:")).isInstanceOf(IllegalArgumentException.class);
    }
}

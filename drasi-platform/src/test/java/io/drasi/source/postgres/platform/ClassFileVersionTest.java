package io.drasi.source.postgres.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * This module builds only on JDK 21+; when it does, the library modules were compiled by the same JDK.
 * Their class files must still be Java 17 (major 61) so the library runs on 17, while this module's are 21 (65).
 */
class ClassFileVersionTest {

    @Test
    void libraryModules_areJava17_platformModuleIsJava21() throws Exception {
        assertThat(major(io.drasi.source.postgres.PostgresReplicationSource.class))
                .as("adapter")
                .isEqualTo(61);
        assertThat(major(io.drasi.source.postgres.bootstrap.BootstrapProvider.class))
                .as("bootstrap")
                .isEqualTo(61);
        assertThat(major(io.drasi.source.postgres.mapping.ChangeMapper.class))
                .as("mapping")
                .isEqualTo(61);
        assertThat(major(PostgresChangeMonitor.class)).as("drasi-platform").isEqualTo(65);
    }

    private static int major(Class<?> c) throws Exception {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class");
                DataInputStream d = new DataInputStream(in)) {
            assertThat(d.readInt()).isEqualTo(0xCAFEBABE);
            d.readUnsignedShort();
            return d.readUnsignedShort();
        }
    }
}

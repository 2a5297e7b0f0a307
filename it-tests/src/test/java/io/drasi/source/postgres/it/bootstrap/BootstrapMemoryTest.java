package io.drasi.source.postgres.it.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.drasi.source.postgres.testing.PostgresExtension;
import io.drasi.source.postgres.testing.PostgresServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Constant memory: a table far larger than the heap is bootstrapped by a child JVM with a small -Xmx.
 * The CI variant: 400k rows of ~300 bytes (~120 MB as text, more as Java objects) at -Xmx64m.
 *
 * <p>The manual benchmark (5 M rows, 10 columns, -Xmx256m; reader strategies vs plain COPY):
 * {@code ./mvnw -B -q -pl it-tests -am -Dtest='io.drasi.source.postgres.bootstrap.BootstrapMemoryTest'
 * -Ddrasi.bench.rows=5000000 -Dsurefire.failIfNoSpecifiedTests=false verify} (output in
 * {@code it-tests/target/surefire-reports/*-output.txt}).
 */
@ExtendWith(PostgresExtension.class)
class BootstrapMemoryTest {

    @Test
    void tableMuchLargerThanHeap_bootstrapsAtXmx64m(PostgresServer pg) throws Exception {
        PostgresServer db = pg.newDatabase("bs_mem");
        db.execute(
                "CREATE TABLE big (id int PRIMARY KEY, pad text, n numeric, ts timestamptz)",
                "INSERT INTO big SELECT g, repeat(md5(g::text), 8), g * 1.5, timestamptz '2024-01-01' + g * interval "
                        + "'1 s'"
                        + " FROM generate_series(1, 400000) g",
                "ANALYZE big");
        List<String> out = runChild(db, "64m", "public", "big", "bootstrap");
        assertThat(out).anyMatch(l -> l.startsWith("bootstrap_copy rows=400000 "));
    }

    @Test
    @EnabledIfSystemProperty(named = "drasi.bench.rows", matches = "\\d+")
    void bench_readerStrategies_vsPlainCopy(PostgresServer pg) throws Exception {
        long rows = Long.parseLong(System.getProperty("drasi.bench.rows"));
        PostgresServer db = pg.newDatabase("bs_bench");
        db.execute(
                "CREATE TABLE bench (id bigint PRIMARY KEY, i int, b bigint, n numeric(12,2), t text, v varchar(40),"
                        + " ts timestamptz, flag bool, f float8, u uuid)",
                "INSERT INTO bench SELECT g, g % 100000, g * 7, (g % 100000) / 7.0, 'text value ' || g, md5(g::text),"
                        + " timestamptz '2024-01-01' + g * interval '1 s', g % 2 = 0, g / 3.0, md5(g::text)::uuid"
                        + " FROM generate_series(1, " + rows + ") g",
                "VACUUM ANALYZE bench");
        String heap = System.getProperty("drasi.bench.xmx", "256m");
        List<String> out = runChild(db, heap, "public", "bench", "bench");
        System.out.println("BENCH rows=" + rows + " -Xmx" + heap + " server=" + db.origin());
        out.forEach(l -> System.out.println("BENCH " + l));
        assertThat(out).anyMatch(l -> l.startsWith("bootstrap_copy rows=" + rows + " "));
    }

    private static List<String> runChild(PostgresServer db, String xmx, String schema, String table, String mode)
            throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx" + xmx,
                "-cp",
                cp,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                BootstrapBenchMain.class.getName(),
                db.host(),
                String.valueOf(db.port()),
                db.database(),
                db.user(),
                db.password(),
                schema,
                table,
                mode));
        String jvmArgs = System.getProperty("drasi.bench.jvmArgs", "");
        if (!jvmArgs.isBlank()) {
            cmd.addAll(1, List.of(jvmArgs.trim().split("\\s+")));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as("child JVM output:%n%s", text).isZero();
            return text.lines().toList();
        } finally {
            p.destroyForcibly();
        }
    }
}

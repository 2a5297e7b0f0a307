package io.drasi.source.postgres.it.debeziumserver;

import io.drasi.source.postgres.testing.Archives;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Debezium Server distribution {@code io.debezium:debezium-server-dist:<version>:tar.gz} (~700 MB) and a
 * JDK that runs it.
 *
 * <p>Its parent POM ({@code io.debezium:debezium-server}) is not on Maven Central, so Maven cannot resolve the
 * tarball as a dependency. It is therefore taken from the local Maven repository, at the path Maven would use, and
 * when missing downloaded there from Maven Central once (Central publishes no checksum for it: the SHA-256 is
 * pinned in {@code it-tests/pom.xml}, {@code debezium.server.sha256}, and checked after the download). Only
 * {@link DebeziumServerTest} asks for it: a build that runs other tests never downloads it. Unpacked once into
 * {@code it-tests/target/debezium-server-<version>/}.
 *
 * <p>System properties (set by the it-tests build): {@code debezium.server.version}, {@code debezium.server.sha256},
 * {@code maven.repo.local} (and {@code maven.repo.local.tail}, read only, when given); {@code debezium.server.dist.url}
 * overrides the download address (a mirror).
 *
 * <p>Stateless; the download and the extraction are atomic on the file system.
 */
final class DebeziumServerDist {

    static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
    /** Debezium Server 3.6 is compiled for Java 21. */
    static final int MIN_JAVA = 21;

    private static final Logger LOG = LoggerFactory.getLogger(DebeziumServerDist.class);

    private DebeziumServerDist() {}

    static String version() {
        return required("debezium.server.version");
    }

    /** @return the tarball in the local Maven repository, downloaded there first when missing */
    static Path tarball() throws IOException, InterruptedException {
        String v = version();
        String relative = "io/debezium/debezium-server-dist/" + v + "/debezium-server-dist-" + v + ".tar.gz";
        Path file = Archives.localMavenRepository().resolve(relative);
        String sha256 = required("debezium.server.sha256");
        if (Files.isRegularFile(file)) {
            return file;
        }
        String tail = System.getProperty("maven.repo.local.tail"); // a chained local repository (read-only)
        if (tail != null && !tail.isBlank() && Files.isRegularFile(Path.of(tail).resolve(relative))) {
            return Path.of(tail).resolve(relative);
        }
        URI uri = URI.create(System.getProperty("debezium.server.dist.url", CENTRAL + relative));
        Files.createDirectories(file.getParent());
        Path part = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".part");
        long start = System.nanoTime();
        try {
            LOG.info("downloading {} (~700 MB, once) to {}", uri, file);
            HttpClient client = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(30))
                    .build();
            HttpResponse<InputStream> r =
                    client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            MessageDigest digest = sha256();
            try (InputStream in = new DigestInputStream(r.body(), digest);
                    OutputStream out = Files.newOutputStream(part)) {
                if (r.statusCode() != 200) {
                    throw new IOException("GET " + uri + " answered " + r.statusCode());
                }
                in.transferTo(out);
            }
            String got = HexFormat.of().formatHex(digest.digest());
            if (!got.equalsIgnoreCase(sha256)) {
                throw new IOException("downloaded " + uri + " has SHA-256 " + got + ", expected " + sha256
                        + " (it-tests/pom.xml debezium.server.sha256; update it together with debezium.version)");
            }
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--")); // as Maven's own files
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("downloaded {} MB in {} s", Files.size(file) >> 20, (System.nanoTime() - start) / 1_000_000_000);
            return file;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * @return the unpacked distribution's {@code debezium-server/} directory (run.sh, the runner jar, lib/, config/)
     */
    static Path home() throws IOException, InterruptedException {
        String v = version();
        Path tarball = tarball();
        long start = System.nanoTime();
        Path root =
                Archives.extractOnce(Path.of("target", "debezium-server-" + v).toAbsolutePath(), dir -> {
                    try (InputStream in = new GZIPInputStream(
                                    new BufferedInputStream(Files.newInputStream(tarball), 1 << 16), 1 << 16);
                            TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                        Archives.untar(tar, dir);
                    } catch (IOException e) {
                        throw new IOException(
                                "cannot unpack " + tarball + " (" + e.getMessage() + "); delete it and run again to"
                                        + " download it again",
                                e);
                    }
                    if (!Files.isExecutable(dir.resolve("debezium-server/run.sh"))) {
                        throw new IOException(tarball + " holds no executable debezium-server/run.sh");
                    }
                });
        LOG.info("Debezium Server {} in {} ({} ms)", v, root, (System.nanoTime() - start) / 1_000_000);
        return root.resolve("debezium-server");
    }

    /**
     * A JDK for the server (Java {@value #MIN_JAVA}+): {@code DEBEZIUM_SERVER_JAVA_HOME}, else this JVM when new
     * enough, else the newest under {@code /usr/lib/jvm}.
     *
     * @param tried collects what was looked at, for the failure message
     * @return the JDK's home, or empty
     */
    static Optional<Path> javaHome(List<String> tried) {
        String explicit = System.getenv("DEBEZIUM_SERVER_JAVA_HOME");
        if (explicit != null && !explicit.isBlank()) {
            int f = feature(Path.of(explicit));
            if (f >= MIN_JAVA) {
                return Optional.of(Path.of(explicit));
            }
            tried.add("DEBEZIUM_SERVER_JAVA_HOME=" + explicit + " is Java " + (f < 0 ? "?" : f));
        }
        if (Runtime.version().feature() >= MIN_JAVA) {
            return Optional.of(Path.of(System.getProperty("java.home")));
        }
        tried.add("this JVM is Java " + Runtime.version().feature());
        List<Path> candidates = new ArrayList<>();
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.filter(p -> feature(p) >= MIN_JAVA).forEach(candidates::add);
            } catch (IOException e) {
                tried.add("listing /usr/lib/jvm failed: " + e.getMessage());
            }
        }
        tried.add("no Java " + MIN_JAVA + "+ JDK under /usr/lib/jvm");
        return candidates.stream().max((a, b) -> Integer.compare(feature(a), feature(b)));
    }

    /** @return the feature version in {@code home/release} ({@code JAVA_VERSION="25.0.1"}), or -1 */
    static int feature(Path home) {
        try {
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                return -1;
            }
            Matcher m =
                    Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run the test through Maven"
                    + " (it-tests/pom.xml sets it), e.g. ./mvnw -B -pl it-tests -am verify -Dtest=DebeziumServerTest"
                    + " -Dsurefire.failIfNoSpecifiedTests=false");
        }
        return v;
    }
}

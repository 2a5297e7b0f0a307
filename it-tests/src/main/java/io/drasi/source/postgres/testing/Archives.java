package io.drasi.source.postgres.testing;

import io.drasi.source.postgres.local.LocalPostgres;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What the harness needs to use software that comes as an archive through Maven (PostgreSQL server binaries of
 * other versions, the Debezium Server distribution): the local Maven repository, and extracting a tar once into a
 * cache directory, atomically.
 *
 * <p>Stateless; thread-safe (extraction is atomic on the file system).
 */
public final class Archives {

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");

    /** Writes an archive's content into a directory. */
    @FunctionalInterface
    public interface Extraction {
        /**
         * @param dir an empty directory to fill
         * @throws IOException when reading or writing fails
         */
        void into(Path dir) throws IOException;
    }

    private Archives() {}

    /**
     * @return the local Maven repository: system property {@code maven.repo.local} (the it-tests build sets it to
     *         {@code ${settings.localRepository}}), else {@code ~/.m2/repository}
     */
    public static Path localMavenRepository() {
        String repo = System.getProperty("maven.repo.local");
        return repo != null && !repo.isBlank()
                ? Path.of(repo)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * Fills {@code target} once: {@code extraction} writes into a temp sibling, which is renamed to {@code target} when
     * complete (marker file {@code .complete}), so an interrupted or concurrent extraction never leaves a half tree
     * in use. Directories created on the way are world-readable (the postgres OS user reads the cluster binaries).
     *
     * @param target     the directory to fill; returned as is when a complete extraction is there
     * @param extraction writes the content
     * @return {@code target}
     * @throws IOException when the extraction fails (nothing is left behind)
     */
    public static Path extractOnce(Path target, Extraction extraction) throws IOException {
        if (Files.exists(target.resolve(".complete"))) {
            return target;
        }
        Path parent = target.toAbsolutePath().normalize().getParent();
        createWorldReadableDirs(parent);
        Path tmp = Files.createTempDirectory(parent, target.getFileName() + ".tmp-");
        try {
            Files.setPosixFilePermissions(tmp, DIR_MODE);
            extraction.into(tmp);
            Files.writeString(tmp.resolve(".complete"), target.getFileName() + "\n");
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another JVM finished first; use its tree when it is complete, else replace it
                if (!Files.exists(target.resolve(".complete"))) {
                    LocalPostgres.deleteTree(target);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + tmp + " to " + target + " atomically", e);
            }
            return target;
        } finally {
            LocalPostgres.deleteTree(tmp);
        }
    }

    /**
     * Extracts a tar stream below {@code root}: directories, regular files (readable by everyone; executable by
     * everyone when executable in the archive), symbolic and hard links. Entries, links and link targets outside
     * {@code root} are refused; a later entry of the same name replaces an earlier one.
     *
     * @param tar  the archive, positioned at its start
     * @param root the directory to extract into
     * @throws IOException when reading or writing fails, or for an entry outside {@code root}
     */
    public static void untar(TarArchiveInputStream tar, Path root) throws IOException {
        Path normRoot = root.toAbsolutePath().normalize();
        List<TarArchiveEntry> hardLinks = new ArrayList<>();
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            Path out = normRoot.resolve(e.getName()).normalize();
            if (!out.startsWith(normRoot)) {
                throw new IOException("archive entry outside the target directory: " + e.getName());
            }
            if (e.isDirectory()) {
                Files.createDirectories(out);
                Files.setPosixFilePermissions(out, DIR_MODE);
            } else if (e.isSymbolicLink()) {
                Files.createDirectories(out.getParent());
                Path linkTarget = out.getParent().resolve(e.getLinkName()).normalize();
                if (!linkTarget.startsWith(normRoot)) {
                    throw new IOException(
                            "symbolic link outside the target directory: " + e.getName() + " -> " + e.getLinkName());
                }
                Files.createSymbolicLink(out, Path.of(e.getLinkName()));
            } else if (e.isLink()) {
                hardLinks.add(e);
            } else if (e.isFile()) {
                Files.createDirectories(out.getParent());
                Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(out, fileMode(e.getMode()));
            }
        }
        for (TarArchiveEntry link : hardLinks) {
            Path out = normRoot.resolve(link.getName()).normalize();
            Path src = normRoot.resolve(link.getLinkName()).normalize();
            if (!out.startsWith(normRoot) || !src.startsWith(normRoot)) {
                throw new IOException("hard link outside the target directory: " + link.getName());
            }
            Files.createDirectories(out.getParent());
            Files.copy(src, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    /**
     * Readable by everyone (the postgres OS user reads them when the JVM is root); executable stays executable for all.
     */
    private static Set<PosixFilePermission> fileMode(int mode) {
        Set<PosixFilePermission> p = EnumSet.of(
                PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ,
                PosixFilePermission.OTHERS_READ);
        if ((mode & 0111) != 0) {
            p.addAll(EnumSet.of(
                    PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
        }
        return p;
    }

    private static void createWorldReadableDirs(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        List<Path> missing = new ArrayList<>();
        for (Path p = abs; p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                Files.setPosixFilePermissions(p, DIR_MODE);
            } catch (FileAlreadyExistsException e) {
                // created concurrently
            }
        }
    }
}

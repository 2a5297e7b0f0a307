package io.drasi.source.postgres.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden-file comparison against {@code src/test/resources/golden/<name>}. Run with
 * {@code -Dgolden.update=true} to (re)write the files, then review the diff.
 */
public final class Golden {

    private static final Path DIR = Path.of("src", "test", "resources", "golden");

    private Golden() {}

    public static void assertMatches(String name, String actual) {
        Path file = DIR.resolve(name);
        try {
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(DIR);
                Files.writeString(file, actual, StandardCharsets.UTF_8);
            }
            assertThat(file)
                    .as("golden file %s (run with -Dgolden.update=true to create)", file)
                    .exists();
            String expected = Files.readString(file, StandardCharsets.UTF_8);
            assertThat(actual).as("golden file %s", name).isEqualTo(expected);
        } catch (IOException e) {
            throw new AssertionError("cannot read/write golden file " + file, e);
        }
    }

    /**
     * Asserts that the generated part of the repository README between {@code <!-- marker:start ...-->} and
     * {@code <!-- marker:end -->} equals {@code generated} (both stripped).
     *
     * @param marker     the marker name, e.g. {@code value-table}
     * @param generated  what the code generates for that part
     * @param regenerate how to regenerate the part, for the failure message
     */
    public static void assertReadmeSection(String marker, String generated, String regenerate) {
        Path file = Path.of("..", "README.md");
        try {
            String readme = Files.readString(file, StandardCharsets.UTF_8);
            int start = readme.indexOf("<!-- " + marker + ":start");
            int end = readme.indexOf("<!-- " + marker + ":end -->");
            assertThat(start).as("README %s markers", marker).isGreaterThan(0);
            String section =
                    readme.substring(readme.indexOf('\n', start) + 1, end).strip();
            assertThat(section).as("README %s; %s", marker, regenerate).isEqualTo(generated.strip());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }
}

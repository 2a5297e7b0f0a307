package io.drasi.source.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The BOM (which has no parent, on purpose) stays in step with the project: same version, every published jar. */
class BuildMetadataTest {

    private static final Pattern VERSION = Pattern.compile(
            "<artifactId>drasi-source-postgres-(?:parent|bom)</artifactId>\\s*" + "<version>([^<]+)</version>");

    @Test
    void bom_sameVersionAsParent_listsEveryLibraryModuleAndTheSmt() throws IOException {
        String parent = Files.readString(Path.of("..", "pom.xml"));
        String bom = Files.readString(Path.of("..", "bom", "pom.xml"));
        assertThat(version(bom)).isEqualTo(version(parent));
        for (String module :
                new String[] {"core", "mapping", "bootstrap", "adapter", "http-sink", "local-postgres", "kafka-connect"
                }) {
            assertThat(bom).contains("<artifactId>drasi-source-postgres-" + module + "</artifactId>");
        }
        assertThat(bom).doesNotContain("it-tests").doesNotContain("bench");
        assertThat(Path.of("..", "LICENSE"))
                .content()
                .contains("Apache License")
                .contains("Version 2.0, January 2004");
    }

    private static String version(String pom) {
        Matcher m = VERSION.matcher(pom);
        assertThat(m.find()).as("version in pom").isTrue();
        return m.group(1);
    }
}

package io.drasi.source.postgres.cli;

import picocli.CommandLine.Option;

/**
 * The output options of the commands that print changes, added with {@code @Mixin}: {@code --format} (one
 * definition for {@code bootstrap} and {@code stream}). Filled by picocli before the command runs; not
 * thread-safe, read on the command's thread.
 */
final class OutputOptions {

    @Option(
            names = {"-f", "--format"},
            paramLabel = "FORMAT",
            defaultValue = "seed",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). seed = drasi-lib"
                    + " SourceChange JSON; platform = Drasi platform source wire format; host = drasi-server HTTP"
                    + " source event. TRUNCATE has no platform/host form and is reported on stderr instead.")
    OutputFormat format;
}

package io.drasi.source.postgres.cli;

import picocli.CommandLine.Command;

/**
 * The command attributes every {@code drasi-pg} command shares, added with {@code @Mixin} as a command's last field
 * (so {@code --help} and {@code --version} come after its own options): the standard help options, the
 * {@link DrasiPg.Version version provider}, options listed in declaration order and a usage width that follows
 * the terminal. Holds no state.
 */
@Command(
        mixinStandardHelpOptions = true,
        versionProvider = DrasiPg.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true)
final class CommandDefaults {}

package io.drasi.source.postgres.cli;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.PreflightException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code drasi-pg} command line: {@code demo}, {@code stream}, {@code bootstrap}, {@code check}.
 * Data goes to stdout (one JSON object per line); logs, progress and summaries go to stderr.
 * Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad configuration.
 */
@Command(
        name = "drasi-pg",
        description = {
            "Streams PostgreSQL row changes as Drasi source changes (Debezium embedded engine, pgoutput).",
            "stdout carries data only, one JSON object per line; logs, progress and summaries go to stderr."
        },
        subcommands = {
            DemoCommand.class,
            StreamCommand.class,
            BootstrapCommand.class,
            CheckCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (check: every check passed)",
            "1:runtime failure (cannot connect, database not ready, a check failed); the cause comes first,"
                    + " the stack trace only with --verbose",
            "2:bad usage or bad configuration (every problem is listed)"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  drasi-pg demo --duration 10s",
            "  drasi-pg check --config source.yaml",
            "  drasi-pg stream --config source.yaml --bootstrap --offsets state/pg.offsets",
            "  drasi-pg bootstrap --config source.yaml --labels users,orders"
        })
public final class DrasiPg implements Runnable {

    /** Exit code: success. */
    public static final int OK = 0;
    /** Exit code: runtime failure. */
    public static final int FAILED = 1;
    /** Exit code: bad usage or bad configuration. */
    public static final int USAGE = 2;

    @Option(
            names = {"-v", "--verbose"},
            scope = ScopeType.INHERIT,
            description = "Log more (INFO from drasi-pg, stack traces of failures) to stderr.")
    boolean verbose;

    @Mixin
    CommandDefaults defaults;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "Missing command: use one of demo, stream, bootstrap, check");
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = DrasiPg.class.getPackage().getImplementationVersion();
            return new String[] {
                "drasi-pg " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (Java " + System.getProperty("java.version") + ")"
            };
        }
    }

    /**
     * @param args command line
     */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns the exit code (does not exit).
     *
     * @param args command line
     * @return 0, 1 or 2
     */
    static int execute(String[] args) {
        boolean verbose = Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
        configureLogging(verbose);
        CommandLine cl = new CommandLine(new DrasiPg());
        cl.registerConverter(Duration.class, new DurationConverter()); // every DURATION option: 500ms, 30s, 2m
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handle(ex, commandLine, verbose));
        cl.setParameterExceptionHandler((ex, args2) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter err = c.getErr();
            err.println("drasi-pg: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
                err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
            }
            return USAGE;
        });
        return cl.execute(args);
    }

    private static int handle(Exception ex, CommandLine commandLine, boolean verbose) {
        PrintWriter err = commandLine.getErr();
        if (ex instanceof ConfigurationException ce) {
            err.println("drasi-pg: bad configuration (" + ce.problems().size()
                    + (ce.problems().size() == 1 ? " problem):" : " problems):"));
            ce.problems().forEach(p -> err.println("  - " + p));
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return USAGE;
        }
        if (ex instanceof UsageError ue) {
            err.println("drasi-pg: " + ue.getMessage());
            err.flush();
            return USAGE;
        }
        if (ex instanceof PreflightException pe) {
            err.println("drasi-pg: PostgreSQL is not ready for the source ("
                    + pe.problems().size() + (pe.problems().size() == 1 ? " problem):" : " problems):"));
            pe.problems().forEach(p -> err.println("  - " + p));
            err.println("Run 'drasi-pg check --config FILE' for the full report.");
        } else {
            err.println("drasi-pg: " + oneLine(ex));
        }
        if (verbose) {
            StringWriter sw = new StringWriter();
            ex.printStackTrace(new PrintWriter(sw));
            err.print(sw);
        } else {
            err.println("(run with --verbose for the stack trace)");
        }
        err.flush();
        return FAILED;
    }

    /** @return the first line of the most informative message in the cause chain */
    static String oneLine(Throwable t) {
        Throwable best = t;
        while ((best.getMessage() == null || best.getMessage().isBlank()) && best.getCause() != null) {
            best = best.getCause();
        }
        String msg = best.getMessage() == null ? best.getClass().getName() : best.getMessage();
        return msg.lines().findFirst().orElse(msg);
    }

    /** Sets slf4j-simple's levels before the first logger is created; everything goes to stderr. */
    static void configureLogging(boolean verbose) {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        if (System.getProperty("org.slf4j.simpleLogger.log.io.drasi") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.io.drasi", verbose ? "info" : "warn");
        }
        if (verbose && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    /** A usage problem found after parsing (e.g. a file that does not exist): exit code 2. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }
}

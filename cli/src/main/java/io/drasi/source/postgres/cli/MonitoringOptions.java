package io.drasi.source.postgres.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * What an operator watches a long-running command by, added with {@code @Mixin} to {@code stream} and {@code demo}:
 * {@code --progress-interval} (the progress line, {@link Progress}) and {@code --metrics-port}, {@code
 * --metrics-host}, {@code --jmx} ({@link MetricsServer}). Filled by picocli before the command runs; read on the
 * command's thread.
 */
final class MonitoringOptions {

    @Option(
            names = "--progress-interval",
            paramLabel = "DURATION",
            defaultValue = "5s",
            description = "How often a progress line goes to stderr (changes/s, totals, last LSN, lag); 0 disables"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description = "Serve GET /metrics (Prometheus text) and GET /health (200 while RUNNING, else 503 with the"
                    + " state and the last error) on this port; 0 picks a free one.")
    Integer port;

    @Option(
            names = "--metrics-host",
            paramLabel = "HOST",
            defaultValue = "127.0.0.1",
            description = "Address the metrics endpoint binds to (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--jmx",
            description = "Register the same meters as MBeans (domain 'drasi') in the JVM's platform MBean server, for"
                    + " JConsole, VisualVM or a JMX exporter (attach locally, or start the JVM with the usual"
                    + " -Dcom.sun.management.jmxremote.* options).")
    boolean jmx;
}

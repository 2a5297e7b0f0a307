package io.drasi.source.postgres.cli;

import picocli.CommandLine.Option;

/**
 * {@code --metrics-port}, {@code --metrics-host} and {@code --jmx} of {@code stream} and {@code demo}; see {@link
 * MetricsServer}.
 */
final class MetricsOptions {

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

package io.drasi.source.postgres.platform;

import io.drasi.source.postgres.ConfigurationException;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.sdk.DebugPublisher;
import io.drasi.source.sdk.Reactivator;
import io.drasi.source.sdk.SourceProxy;
import io.drasi.source.sdk.StateStore;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the Drasi platform images: {@code java -jar drasi-platform.jar reactivator|proxy}
 * (or the role in env {@code DRASI_PG_ROLE}). Configuration comes from the environment the way the
 * platform passes it (see {@link PlatformConfig}).
 *
 * <ul>
 *   <li>{@code reactivator}: the SDK's {@link Reactivator} with a {@link PostgresChangeMonitor}, the
 *       Dapr publisher (topic {@code <SOURCE_ID>-change}) and the Dapr state store; {@code POST /deprovision}
 *       deletes the checkpoint and drops the replication slot and publication. Port: env {@code PORT}, default 80.
 *       With {@code DRASI_PG_DEBUG_PUBLISHER=true} changes are logged instead of published and the state is
 *       kept in memory (a local run without Dapr).</li>
 *   <li>{@code proxy}: {@link BootstrapHttpServer} (the SDK's {@link SourceProxy} routes and wire format, but
 *       a client that goes away mid-stream cancels the bootstrap) serving bootstrap streams from
 *       {@link PostgresBootstrapStreams}. Port: env {@code PORT}, default 80 (the
 *       platform's own proxies listen on 4002: set {@code PORT=4002} to match a provider manifest).</li>
 * </ul>
 * A configuration problem is fatal: every problem is logged and the SDK's terminal error handler exits.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {}

    /** @param args {@code reactivator} or {@code proxy}; empty = env {@code DRASI_PG_ROLE} */
    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        String role = (args.length > 0 ? args[0] : env.getOrDefault("DRASI_PG_ROLE", "")).toLowerCase(Locale.ROOT);
        int port = Integer.parseInt(env.getOrDefault("PORT", "80"));
        PostgresSourceConfig config;
        String sourceId;
        try {
            sourceId = PlatformConfig.sourceId(env);
            config = PlatformConfig.fromEnv(env);
        } catch (ConfigurationException e) {
            LOG.error("invalid configuration:\n  {}", String.join("\n  ", e.problems()));
            fatal(role, e);
            return;
        }
        LOG.info("source {} ({}): {}", sourceId, role, config);
        switch (role) {
            case "reactivator" -> reactivator(sourceId, config, port, env);
            case "proxy" -> BootstrapHttpServer.start(port, new PostgresBootstrapStreams(sourceId, config, 1_000));
            default -> {
                System.err.println("usage: java -jar drasi-platform.jar reactivator|proxy (or env DRASI_PG_ROLE)");
                System.exit(2);
            }
        }
    }

    private static void reactivator(String sourceId, PostgresSourceConfig config, int port, Map<String, String> env) {
        PostgresChangeMonitor monitor = new PostgresChangeMonitor(sourceId, config);
        Reactivator.Builder b = Reactivator.builder()
                .withChangeMonitor(monitor)
                .withDeprovisionHandler(store -> {
                    monitor.close(); // release the slot before dropping it
                    deprovision(sourceId, config, store);
                })
                .withPort(port);
        if (Boolean.parseBoolean(env.getOrDefault("DRASI_PG_DEBUG_PUBLISHER", "false"))) {
            LOG.warn("DRASI_PG_DEBUG_PUBLISHER=true: changes are logged, not published; state kept in memory");
            b.withChangePublisher(new DebugPublisher()).withStateStore(new MemoryStateStore());
        }
        Reactivator reactivator = b.build();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                reactivator.close();
                            } catch (Exception e) {
                                LOG.warn("closing the reactivator: {}", e.getMessage());
                            }
                        },
                        "drasi-pg-shutdown"));
        reactivator.start();
    }

    /** Deletes the checkpoint, then drops the slot and publication this source created (stream stopped first). */
    static void deprovision(String sourceId, PostgresSourceConfig config, StateStore store) {
        store.delete(Checkpoint.KEY);
        try {
            boolean dropped = Slots.drop(config);
            LOG.info(
                    "source {}: deprovisioned (checkpoint deleted, slot {} {}, publication {} dropped)",
                    sourceId,
                    config.slotName(),
                    dropped ? "dropped" : "absent",
                    config.publicationName());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot drop slot " + config.slotName() + ": " + e.getMessage(), e);
        }
    }

    private static void fatal(String role, Exception e) {
        if ("proxy".equals(role)) {
            SourceProxy.TerminalError(e);
        } else {
            Reactivator.TerminalError(e);
        }
    }
}

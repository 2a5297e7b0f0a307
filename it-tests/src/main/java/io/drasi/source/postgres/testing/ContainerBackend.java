package io.drasi.source.postgres.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** A {@code postgres:16} (or {@code postgres:<DRASI_PG_VERSION>}) container, used only when a Docker engine answers. */
final class ContainerBackend implements Backend {

    private final PostgreSQLContainer container;

    private ContainerBackend(PostgreSQLContainer container) {
        this.container = container;
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) { // NoClassDefFoundError when testcontainers is absent, or any Docker probe failure
            return false;
        }
    }

    @SuppressWarnings("resource")
    static ContainerBackend start(java.util.OptionalInt major) {
        String image = "postgres:" + (major.isPresent() ? major.getAsInt() : 16) + "-alpine";
        PostgreSQLContainer c = new PostgreSQLContainer(image)
                .withCommand(
                        "postgres",
                        "-c",
                        "wal_level=logical",
                        "-c",
                        "max_replication_slots=200",
                        "-c",
                        "max_wal_senders=60",
                        "-c",
                        "fsync=off");
        c.start();
        return new ContainerBackend(c);
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(5432);
    }

    @Override
    public String user() {
        return container.getUsername();
    }

    @Override
    public String password() {
        return container.getPassword();
    }

    @Override
    public String defaultDatabase() {
        return container.getDatabaseName();
    }

    @Override
    public String describe() {
        return "Testcontainers " + container.getDockerImageName();
    }

    @Override
    public void close() {
        container.stop();
    }
}

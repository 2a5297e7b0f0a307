package io.drasi.source.postgres.engine;

import io.debezium.connector.postgresql.PostgresConnector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.connector.Task;

/**
 * Internal: not an API, may change in any release. Debezium's PostgreSQL connector whose task waits for data
 * instead of polling on a clock ({@link WakeOnDataPostgresTask}); the adapter configures it by
 * {@code connector.class}, so Debezium instantiates it by name (hence public). Everything else is Debezium's.
 *
 * <p>Thread-safety: as {@link PostgresConnector}.
 */
public class WakeOnDataPostgresConnector extends PostgresConnector {

    /** Debezium instantiates the connector by its class. */
    public WakeOnDataPostgresConnector() {}

    @Override
    public Class<? extends Task> taskClass() {
        return WakeOnDataPostgresTask.class;
    }

    /**
     * Debezium's task configurations, with {@code connector.class} set back to Debezium's own connector: the task
     * picks connector-specific implementations (snapshot query and lock, signal actions) by exact equality with
     * that name.
     */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return super.taskConfigs(maxTasks).stream()
                .map(c -> {
                    Map<String, String> m = new HashMap<>(c);
                    m.put("connector.class", PostgresConnector.class.getName());
                    return (Map<String, String>) m;
                })
                .toList();
    }
}

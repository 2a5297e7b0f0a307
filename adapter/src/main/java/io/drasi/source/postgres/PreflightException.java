package io.drasi.source.postgres;

import io.drasi.source.postgres.core.DrasiPostgresException;
import java.util.List;

/**
 * The database is not ready for this source: {@code wal_level}, privileges, tables, keys, replica
 * identity, publication or slot. The message lists every problem found, each with its fix; nothing
 * was changed in the database except what the message says.
 *
 * <p>Thread-safety: immutable.
 */
public class PreflightException extends DrasiPostgresException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * @param problems one entry per problem, each naming the fix; never empty
     * @param cause    the first underlying failure, may be null
     */
    public PreflightException(List<String> problems, Throwable cause) {
        super("PostgreSQL is not ready for the Drasi source:\n  - " + String.join("\n  - ", problems), cause);
        this.problems = List.copyOf(problems);
    }

    /** @return every problem found, each naming its fix */
    public List<String> problems() {
        return problems;
    }
}

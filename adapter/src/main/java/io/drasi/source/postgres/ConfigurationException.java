package io.drasi.source.postgres;

import io.drasi.source.postgres.core.DrasiPostgresException;
import java.util.List;
import java.util.Objects;

/**
 * Thrown when a {@link PostgresSourceConfig} cannot be built or a configuration file cannot be
 * loaded. It carries <em>every</em> problem that was found, not just the first, so an operator can fix
 * a configuration in one pass.
 *
 * <p>The message lists each problem on its own line; each problem names the offending key (in the
 * spelling of the input: snake_case for seed YAML, camelCase for drasi-server YAML and the Java
 * builder) and says how to fix it. Secret values (the password) never appear in problems.
 *
 * <p>Thread-safety: immutable once constructed. Nullability: {@link #problems()} is never null and
 * never empty.
 */
public final class ConfigurationException extends DrasiPostgresException {

    private static final long serialVersionUID = 1L;

    /** Every problem, in the order found; immutable. */
    private final List<String> problems;

    /**
     * @param problems one operator-facing line per problem, each including the fix; never null or
     *                 empty, no null elements
     */
    public ConfigurationException(List<String> problems) {
        this(problems, null);
    }

    /**
     * @param problems one operator-facing line per problem, each including the fix; never null or
     *                 empty, no null elements
     * @param cause    the underlying failure (e.g. an I/O or YAML syntax error); may be null
     */
    public ConfigurationException(List<String> problems, Throwable cause) {
        super(format(problems), cause);
        this.problems = List.copyOf(problems);
    }

    /** @return every problem found, in the order found; immutable, never empty */
    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        Objects.requireNonNull(problems, "problems");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigurationException needs at least one problem");
        }
        StringBuilder sb = new StringBuilder("Invalid PostgreSQL source configuration (")
                .append(problems.size())
                .append(problems.size() == 1 ? " problem):" : " problems):");
        for (String p : problems) {
            sb.append(System.lineSeparator()).append("  - ").append(Objects.requireNonNull(p, "problem"));
        }
        return sb.toString();
    }
}

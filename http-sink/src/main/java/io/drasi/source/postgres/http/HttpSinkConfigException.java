package io.drasi.source.postgres.http;

import io.drasi.source.postgres.core.DrasiPostgresException;
import java.util.List;

/** An invalid {@link HttpSinkConfig}: every problem at once, each with its fix. Never contains the token. */
public class HttpSinkConfigException extends DrasiPostgresException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** @param problems one operator-facing line per problem; never empty */
    public HttpSinkConfigException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    /** @return every problem found, in the order of the builder's settings */
    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("at least one problem");
        }
        StringBuilder sb = new StringBuilder("Invalid HTTP sink configuration (")
                .append(problems.size())
                .append(problems.size() == 1 ? " problem):" : " problems):");
        problems.forEach(p -> sb.append(System.lineSeparator()).append("  - ").append(p));
        return sb.toString();
    }
}

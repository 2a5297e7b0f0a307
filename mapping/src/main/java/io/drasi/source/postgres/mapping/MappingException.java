package io.drasi.source.postgres.mapping;

import io.drasi.source.postgres.core.DrasiPostgresException;

/**
 * A change record or column value could not be mapped to the Drasi model (unexpected record shape,
 * unparsable value, key column missing from a row image). The message names the table or column
 * and, where there is one, the fix.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class MappingException extends DrasiPostgresException {

    private static final long serialVersionUID = 1L;

    /** @param message operator-facing description; never null */
    public MappingException(String message) {
        super(message);
    }

    /**
     * @param message operator-facing description; never null
     * @param cause   the underlying failure; may be null
     */
    public MappingException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.drasi.source.postgres;

import io.drasi.source.postgres.core.DrasiPostgresException;

/**
 * PostgreSQL could not be reached or refused the login (wrong password, unknown database, no
 * {@code pg_hba.conf} entry). The message names the server and the fix, never the password.
 *
 * <p>Thread-safety: immutable.
 */
public class ConnectionFailedException extends DrasiPostgresException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and how to fix it
     * @param cause   the driver's exception
     */
    public ConnectionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}

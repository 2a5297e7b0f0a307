package io.drasi.source.postgres.bootstrap;

import io.drasi.source.postgres.core.DrasiPostgresException;

/**
 * A bootstrap failed: the slot or snapshot could not be created, a table could not be read, the
 * connection broke, or the read was interrupted. The message names the fix where there is one.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class BootstrapException extends DrasiPostgresException {

    private static final long serialVersionUID = 1L;

    /** @param message operator-facing description including the fix; never null */
    public BootstrapException(String message) {
        super(message);
    }

    /**
     * @param message operator-facing description including the fix; never null
     * @param cause   the underlying failure; may be null
     */
    public BootstrapException(String message, Throwable cause) {
        super(message, cause);
    }
}

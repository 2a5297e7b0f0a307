package io.drasi.source.postgres.core;

/**
 * Root of every exception this library throws. Unchecked: callers that want to act on a specific
 * failure catch one of the subclasses; everything else can be treated as fatal for the source.
 *
 * <p>Messages are written for operators: they say what went wrong and how to fix it, and they never
 * contain secrets (passwords are masked before any message is built). The original cause is kept.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class DrasiPostgresException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message operator-facing description including the fix; never null
     */
    public DrasiPostgresException(String message) {
        super(message);
    }

    /**
     * @param message operator-facing description including the fix; never null
     * @param cause   the underlying failure; may be null
     */
    public DrasiPostgresException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.drasi.source.postgres;

import io.drasi.source.postgres.core.DrasiPostgresException;

/**
 * {@link PostgresReplicationSource#close()} was called while {@code start}, {@code startWithBootstrap} or
 * {@code bootstrap} ran on another thread (or from inside its sink): the call stopped early. Not a
 * failure: nothing incomplete was acknowledged — an interrupted first bootstrap dropped the slot it made,
 * so the next start bootstraps again from the beginning.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class SourceClosedException extends DrasiPostgresException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what was interrupted; never null
     * @param cause   the cancellation seen by the interrupted work; may be null
     */
    public SourceClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}

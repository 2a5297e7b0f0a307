package io.drasi.source.postgres;

import io.drasi.source.postgres.core.DrasiPostgresException;
import java.util.Objects;

/**
 * Why a {@link PostgresReplicationSource} failed ({@link PostgresReplicationSource#failure()}): a
 * {@link FailureReason} to act on, a message naming what happened and the fix, and the original exception
 * as the cause (the sink's own exception for {@link FailureReason#SINK}).
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class SourceFailedException extends DrasiPostgresException {

    private static final long serialVersionUID = 1L;

    private final FailureReason reason;

    /**
     * @param reason  the classification; never null
     * @param message operator-facing description including the fix; never null
     * @param cause   the underlying failure; may be null
     */
    public SourceFailedException(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** @return why the source failed; never null */
    public FailureReason reason() {
        return reason;
    }
}

package io.drasi.source.postgres.http;

import io.drasi.source.postgres.core.DrasiPostgresException;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP sink refused to acknowledge a batch for good: the server answered with an error that a retry
 * will not heal (e.g. 400 bad request, 401/403 wrong token, 404 wrong URL or source id), the retries were
 * exhausted, a TRUNCATE met {@link TruncatePolicy#FAIL}, or the sink was closed while the server was
 * unreachable. Thrown from {@code accept}, so the replication source stops in FAILED with this as the cause
 * and the batch is delivered again on the next start (nothing is lost).
 *
 * <p>The message names the URL and the server's own message; it never contains the token.
 */
public class HttpSinkException extends DrasiPostgresException {

    private static final long serialVersionUID = 1L;

    private final transient URI url;
    private final int status;
    private final String serverMessage;

    /**
     * @param message       operator-facing description including the fix; never null
     * @param url           the URL that was posted to; never null
     * @param status        the HTTP status of the refusing reply, or -1 when there was none
     * @param serverMessage the server's message, or null
     * @param cause         the underlying failure, or null
     */
    public HttpSinkException(String message, URI url, int status, String serverMessage, Throwable cause) {
        super(message, cause);
        this.url = Objects.requireNonNull(url, "url");
        this.status = status;
        this.serverMessage = serverMessage;
    }

    /** @return the URL that was posted to */
    public URI url() {
        return url;
    }

    /** @return the HTTP status of the refusing reply, or -1 when there was none (connection error, truncate) */
    public int status() {
        return status;
    }

    /** @return the server's message (from {@code message}/{@code error}, or the start of the body) */
    public Optional<String> serverMessage() {
        return Optional.ofNullable(serverMessage);
    }
}

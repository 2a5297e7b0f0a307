package io.drasi.source.postgres.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Immutable configuration of a {@link DrasiHttpSink}. Build it with {@link #builder(String)}; the builder
 * validates every setting at once and throws {@link HttpSinkConfigException} listing all problems.
 *
 * <pre>{@code
 * HttpSinkConfig config = HttpSinkConfig.builder("http://drasi:8080/sources/pg-source")
 *         .withTokenFromEnv()                 // DRASI_SINK_TOKEN, if set
 *         .withMaxBatchEvents(500)
 *         .build();
 * }</pre>
 *
 * <p>TLS: an {@code https} URL uses the JVM's default {@link SSLContext}, so a private CA is trusted with
 * the standard JSSE system properties ({@code -Djavax.net.ssl.trustStore=/path/truststore.p12
 * -Djavax.net.ssl.trustStorePassword=... -Djavax.net.ssl.trustStoreType=PKCS12}); a library user can pass
 * an own context with {@link Builder#withSslContext}. Host names are always verified.
 *
 * @param url            the HTTP source's base URL {@code http(s)://host:port[/prefix]/sources/{sourceId}}
 * @param token          Bearer token, or null for none; masked in {@link #toString()}
 * @param maxBatchEvents most events per POST; larger adapter batches are split into consecutive POSTs
 * @param maxBatchWait   bootstrap only: longest time a snapshot row waits in the buffer before it is posted
 *                       (streaming batches are posted as soon as the adapter hands them over)
 * @param requestTimeout connect and reply timeout of one POST; a timeout is retried
 * @param backoffInitial first wait before a retry; doubles per attempt (with jitter) up to backoffMax
 * @param backoffMax     longest wait between retries (so also the longest delay after a server recovers)
 * @param maxRetries     retries of one POST before giving up (then {@code accept} throws); -1 = for ever
 * @param onTruncate     what to do with a TRUNCATE (no HTTP form); see {@link TruncatePolicy}
 * @param sslContext     TLS context for https, or null for the JVM default
 */
public record HttpSinkConfig(
        URI url,
        String token,
        int maxBatchEvents,
        Duration maxBatchWait,
        Duration requestTimeout,
        Duration backoffInitial,
        Duration backoffMax,
        int maxRetries,
        TruncatePolicy onTruncate,
        SSLContext sslContext) {

    /** Environment variable read by {@link Builder#withTokenFromEnv()}: {@value}. */
    public static final String TOKEN_ENV = "DRASI_SINK_TOKEN";
    /** Default {@link #maxBatchEvents}: {@value} (drasi's HTTP source default adaptive_max_batch_size). */
    public static final int DEFAULT_MAX_BATCH_EVENTS = 1000;
    /** Upper bound of {@link #maxBatchEvents}: {@value}. */
    public static final int MAX_BATCH_EVENTS_LIMIT = 100_000;
    /** Default {@link #maxBatchWait}: 100 ms. */
    public static final Duration DEFAULT_MAX_BATCH_WAIT = Duration.ofMillis(100);
    /** Default {@link #requestTimeout}: 30 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #backoffInitial}: 250 ms. */
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(250);
    /** Default {@link #backoffMax}: 10 s. */
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(10);

    private static final Pattern SOURCE_PATH = Pattern.compile("^(.*/sources/([^/]+))(?:/events(?:/batch)?)?/*$");

    /** Validates (defensively; the builder reports every problem at once). */
    public HttpSinkConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(maxBatchWait, "maxBatchWait");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(backoffInitial, "backoffInitial");
        Objects.requireNonNull(backoffMax, "backoffMax");
        Objects.requireNonNull(onTruncate, "onTruncate");
    }

    /**
     * @param url the HTTP source's URL, {@code http(s)://host:port/sources/{sourceId}} (a trailing
     *            {@code /events} or {@code /events/batch} is accepted and removed)
     * @return a builder with the defaults
     */
    public static Builder builder(String url) {
        return new Builder().withUrl(url);
    }

    /** @return a builder with every setting of this config */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.url = url.toString();
        b.token = token;
        b.maxBatchEvents = maxBatchEvents;
        b.maxBatchWait = maxBatchWait;
        b.requestTimeout = requestTimeout;
        b.backoffInitial = backoffInitial;
        b.backoffMax = backoffMax;
        b.maxRetries = maxRetries;
        b.onTruncate = onTruncate;
        b.sslContext = sslContext;
        return b;
    }

    /** @return the Bearer token, if any */
    public Optional<String> bearerToken() {
        return Optional.ofNullable(token);
    }

    /** @return the source id, the last path segment of {@link #url} */
    public String sourceId() {
        Matcher m = SOURCE_PATH.matcher(url.getRawPath());
        return m.matches() ? m.group(2) : "";
    }

    /** @return {@code {url}/events/batch} */
    public URI batchUrl() {
        return URI.create(url + "/events/batch");
    }

    /** @return a description with the token masked */
    @Override
    public String toString() {
        return "HttpSinkConfig[url=" + url + ", token=" + (token == null ? "none" : "****")
                + ", maxBatchEvents=" + maxBatchEvents + ", maxBatchWait=" + maxBatchWait
                + ", requestTimeout=" + requestTimeout + ", backoffInitial=" + backoffInitial
                + ", backoffMax=" + backoffMax + ", maxRetries=" + maxRetries + ", onTruncate=" + onTruncate
                + ", sslContext=" + (sslContext == null ? "JVM default" : sslContext.getProtocol()) + "]";
    }

    /** Mutable builder; {@link #build()} validates everything at once. Not thread-safe. */
    public static final class Builder {
        private String url;
        private String token;
        private int maxBatchEvents = DEFAULT_MAX_BATCH_EVENTS;
        private Duration maxBatchWait = DEFAULT_MAX_BATCH_WAIT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
        private Duration backoffMax = DEFAULT_BACKOFF_MAX;
        private int maxRetries = -1;
        private TruncatePolicy onTruncate = TruncatePolicy.FAIL;
        private SSLContext sslContext;

        private Builder() {}

        /** @param url {@code http(s)://host:port[/prefix]/sources/{sourceId}} @return this */
        public Builder withUrl(String url) {
            this.url = url;
            return this;
        }

        /** @param token Bearer token, or null for none (never logged) @return this */
        public Builder withToken(String token) {
            this.token = token;
            return this;
        }

        /** Uses the token in {@value HttpSinkConfig#TOKEN_ENV} when that variable is set and not empty. @return this */
        public Builder withTokenFromEnv() {
            return withTokenFromEnv(TOKEN_ENV);
        }

        /** @param variable environment variable holding the token; ignored when unset or empty @return this */
        public Builder withTokenFromEnv(String variable) {
            String v = System.getenv(variable);
            if (v != null && !v.isEmpty()) {
                this.token = v;
            }
            return this;
        }

        /** @param n most events per POST (1..{@value HttpSinkConfig#MAX_BATCH_EVENTS_LIMIT}) @return this */
        public Builder withMaxBatchEvents(int n) {
            this.maxBatchEvents = n;
            return this;
        }

        /** @param wait bootstrap rows: longest buffering before a POST (0 = post every row) @return this */
        public Builder withMaxBatchWait(Duration wait) {
            this.maxBatchWait = wait;
            return this;
        }

        /** @param timeout connect and reply timeout of one POST (positive) @return this */
        public Builder withRequestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** @param initial first retry wait (positive) @param max longest retry wait (at least initial) @return this */
        public Builder withBackoff(Duration initial, Duration max) {
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /** @param retries retries of one POST before {@code accept} throws; -1 = for ever (default) @return this */
        public Builder withMaxRetries(int retries) {
            this.maxRetries = retries;
            return this;
        }

        /** @param policy what to do with a TRUNCATE (default {@link TruncatePolicy#FAIL}) @return this */
        public Builder withOnTruncate(TruncatePolicy policy) {
            this.onTruncate = policy;
            return this;
        }

        /** @param context TLS context for https URLs, or null for the JVM default @return this */
        public Builder withSslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * @return the validated configuration
         * @throws HttpSinkConfigException listing every problem
         */
        public HttpSinkConfig build() {
            List<String> problems = new ArrayList<>();
            URI base = parseUrl(url, problems);
            if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c <= ' ' || c == 127))) {
                problems.add("token: must not be blank or contain spaces or control characters"
                        + " (it is sent as 'Authorization: Bearer <token>'); check " + TOKEN_ENV);
            }
            if (maxBatchEvents < 1 || maxBatchEvents > MAX_BATCH_EVENTS_LIMIT) {
                problems.add("maxBatchEvents: " + maxBatchEvents + " is out of range; use 1.." + MAX_BATCH_EVENTS_LIMIT
                        + " (default " + DEFAULT_MAX_BATCH_EVENTS + ")");
            }
            if (maxBatchWait == null || maxBatchWait.isNegative()) {
                problems.add("maxBatchWait: " + maxBatchWait + " must be 0 or positive (default 100ms)");
            }
            if (requestTimeout == null || requestTimeout.isZero() || requestTimeout.isNegative()) {
                problems.add("requestTimeout: " + requestTimeout + " must be positive (default 30s)");
            }
            boolean initialOk = backoffInitial != null && !backoffInitial.isZero() && !backoffInitial.isNegative();
            if (!initialOk) {
                problems.add("backoffInitial: " + backoffInitial + " must be positive (default 250ms)");
            }
            if (backoffMax == null || (initialOk && backoffMax.compareTo(backoffInitial) < 0)) {
                problems.add("backoffMax: " + backoffMax + " must be at least backoffInitial (" + backoffInitial
                        + "; default 10s)");
            }
            if (maxRetries < -1) {
                problems.add("maxRetries: " + maxRetries + " is invalid; use -1 (retry for ever) or 0 and more");
            }
            if (onTruncate == null) {
                problems.add("onTruncate: must be FAIL or SKIP");
            }
            if (!problems.isEmpty()) {
                throw new HttpSinkConfigException(problems);
            }
            return new HttpSinkConfig(
                    base,
                    token,
                    maxBatchEvents,
                    maxBatchWait,
                    requestTimeout,
                    backoffInitial,
                    backoffMax,
                    maxRetries,
                    onTruncate,
                    sslContext);
        }

        private static URI parseUrl(String url, List<String> problems) {
            String expected =
                    "; expected http(s)://host:port/sources/{sourceId}, e.g. http://localhost:8080/sources/pg-source";
            if (url == null || url.isBlank()) {
                problems.add("url: missing" + expected);
                return null;
            }
            URI u;
            try {
                u = new URI(url.trim());
            } catch (URISyntaxException e) {
                problems.add("url: '" + url.replaceAll("//[^/@]*@", "//****@") + "' is not a valid URL ("
                        + e.getReason() + ")" + expected);
                return null;
            }
            int before = problems.size();
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                problems.add("url: scheme '" + u.getScheme() + "' is not supported; use http or https" + expected);
            }
            if (u.getHost() == null || u.getHost().isEmpty()) {
                problems.add("url: '" + safe(u) + "' has no host" + expected);
            }
            if (u.getRawUserInfo() != null) {
                problems.add("url: must not contain credentials (user:password@); pass a Bearer token instead" + " ("
                        + TOKEN_ENV + ")");
            }
            if (u.getRawQuery() != null || u.getRawFragment() != null) {
                problems.add("url: '" + safe(u) + "' must not have a query or fragment" + expected);
            }
            String path = u.getRawPath() == null ? "" : u.getRawPath();
            Matcher m = SOURCE_PATH.matcher(path);
            if (!m.matches()) {
                problems.add("url: path '" + path + "' does not name a source" + expected);
            }
            if (problems.size() > before) {
                return null;
            }
            return URI.create(scheme + "://" + u.getRawAuthority() + m.group(1));
        }

        private static String safe(URI u) {
            return u.getRawUserInfo() == null ? u.toString() : u.toString().replace(u.getRawUserInfo() + "@", "****@");
        }
    }
}

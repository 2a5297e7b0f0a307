package io.drasi.source.postgres.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the source secures its connections to PostgreSQL (both the replication connection and the
 * normal connections used for bootstrap and checks). The values are those of libpq / pgjdbc
 * {@code sslmode}.
 *
 * <ul>
 *   <li>{@link #DISABLE} – plain TCP.</li>
 *   <li>{@link #PREFER} – TLS when the server offers it, else plain (the default, as in the seed).</li>
 *   <li>{@link #REQUIRE} – TLS, server certificate not verified.</li>
 *   <li>{@link #VERIFY_CA} – TLS, certificate must chain to {@code sslRootCert}.</li>
 *   <li>{@link #VERIFY_FULL} – as {@code VERIFY_CA}, and the host name must match the certificate.</li>
 * </ul>
 *
 * <p>Thread-safety: immutable enum.
 */
public enum SslMode {
    /** No TLS. */
    DISABLE("disable"),
    /** TLS if the server supports it; no verification. */
    PREFER("prefer"),
    /** TLS mandatory; no verification of the server certificate. */
    REQUIRE("require"),
    /** TLS mandatory; the server certificate must be signed by the configured root certificate. */
    VERIFY_CA("verify-ca"),
    /** TLS mandatory; certificate verified against the root certificate and the host name. */
    VERIFY_FULL("verify-full");

    private final String value;

    SslMode(String value) {
        this.value = value;
    }

    /** @return the libpq/pgjdbc {@code sslmode} spelling, e.g. {@code verify-full}; never null */
    public String value() {
        return value;
    }

    /** @return true for {@link #VERIFY_CA} and {@link #VERIFY_FULL}, which need a root certificate */
    public boolean verifiesCertificate() {
        return this == VERIFY_CA || this == VERIFY_FULL;
    }

    /**
     * Parses the configuration spelling. Case-insensitive; {@code _} is accepted for {@code -}.
     *
     * @param text e.g. {@code verify-full}; never null
     * @return the mode
     * @throws IllegalArgumentException naming the valid values when {@code text} is not one
     */
    public static SslMode fromValue(String text) {
        return find(text)
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown ssl mode '" + text + "'; expected one of " + validValues()));
    }

    /**
     * @param text a configuration value, case-insensitive, {@code _} accepted for {@code -}; may be null
     * @return the mode, or empty when {@code text} names none
     */
    public static Optional<SslMode> find(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String norm = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values()).filter(m -> m.value.equals(norm)).findFirst();
    }

    /** @return every valid spelling, comma-separated */
    public static String validValues() {
        return Arrays.stream(values()).map(SslMode::value).collect(Collectors.joining(", "));
    }

    /** @return {@link #value()} */
    @Override
    public String toString() {
        return value;
    }
}

/**
 * Configuration internals of the adapter: the one definition of every key ({@code ConfigKeys}: name, type,
 * default, doc), the validation that reports all problems at once, and the readers of seed YAML files and
 * drasi-server source files ({@code ConfigFiles}).
 *
 * <p>{@link io.drasi.source.postgres.config.ConfigFiles} is public API. <b>Everything else here is not API</b>:
 * public only so the adapter's root package can reach it, and it may change in any release. Applications
 * configure a source through {@link io.drasi.source.postgres.PostgresSourceBuilder} or a file read by
 * {@code ConfigFiles.load}, and read it through {@link io.drasi.source.postgres.PostgresSourceConfig}.
 */
package io.drasi.source.postgres.config;

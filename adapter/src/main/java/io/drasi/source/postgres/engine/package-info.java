/**
 * Runtime internals of the adapter: the Debezium engine's properties, the batch handler that maps and
 * delivers changes and acknowledges positions, the durable offset store, the preflight and connection
 * monitor, TOAST and generated-column re-reads, and failure classification.
 *
 * <p><b>Not API.</b> Types here are public only so the adapter's root package can reach them (and Debezium,
 * which instantiates some by class name); they may change in any release. Applications use
 * {@link io.drasi.source.postgres.PostgresReplicationSource} or, with their own Debezium engine,
 * {@link io.drasi.source.postgres.DrasiChangeConsumer}.
 */
package io.drasi.source.postgres.engine;

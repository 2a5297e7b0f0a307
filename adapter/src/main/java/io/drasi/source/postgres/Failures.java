package io.drasi.source.postgres;

import java.util.Locale;

/** Turns the engine's terminal errors into messages that say what happened and what to do. */
final class Failures {

    private Failures() {
    }

    static Throwable explain(Throwable error, PostgresSourceConfig config) {
        String all = chain(error).toLowerCase(Locale.ROOT);
        String slot = config.slotName();
        String pub = config.publicationName();
        if (all.contains("can no longer get changes from replication slot") || all.contains("has been invalidated")
                || all.contains("requested wal segment") || all.contains("wal_status")) {
            return new DrasiPostgresException("replication slot " + slot + " was invalidated by PostgreSQL (required WAL"
                    + " was removed, e.g. max_slot_wal_keep_size exceeded): changes were lost. Drop the slot"
                    + " (SELECT pg_drop_replication_slot('" + slot + "')), clear the offset store, and start again"
                    + " with a bootstrap.", error);
        }
        if (all.contains("replication slot") && all.contains("does not exist")) {
            return new DrasiPostgresException("replication slot " + slot + " was dropped while streaming: changes"
                    + " since the last acknowledged position may be lost. Start again with a bootstrap (the slot is"
                    + " recreated).", error);
        }
        if (all.contains("publication") && all.contains("does not exist")) {
            return new DrasiPostgresException("publication " + pub + " was dropped while streaming. Recreate it"
                    + " (CREATE PUBLICATION " + pub + " FOR TABLE ...) and restart the source; changes committed"
                    + " meanwhile are decoded once it exists again only if the slot still holds them.", error);
        }
        if (all.contains("is active for pid")) {
            return new DrasiPostgresException("replication slot " + slot + " is in use by another consumer: stop it or"
                    + " choose another slot_name.", error);
        }
        return error;
    }

    private static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 10_000; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }
}

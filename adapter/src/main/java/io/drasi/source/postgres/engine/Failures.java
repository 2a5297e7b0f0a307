package io.drasi.source.postgres.engine;

import io.drasi.source.postgres.ConnectionFailedException;
import io.drasi.source.postgres.FailureReason;
import io.drasi.source.postgres.PostgresSourceConfig;
import io.drasi.source.postgres.PreflightException;
import io.drasi.source.postgres.SourceFailedException;
import io.drasi.source.postgres.bootstrap.TableMissingException;
import io.drasi.source.postgres.core.DrasiPostgresException;
import io.drasi.source.postgres.core.Lsn;
import io.drasi.source.postgres.mapping.value.UnmappableValueException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.postgresql.util.PSQLException;

/**
 * Classifies a terminal error into a {@link SourceFailedException}: a {@link FailureReason} from exception
 * types and PostgreSQL SQLSTATEs (never from message text), and a message that says what happened and what
 * to do. Operator messages the source already wrote (preflight, connection, sink, unmappable value) are kept.
 */
public final class Failures {

    /** Debezium names the failing event's offset map, e.g. {@code {lsn_proc=..., lsn=23456789, ...}}. */
    private static final Pattern OFFSET_LSN = Pattern.compile("[{ ,]lsn=(\\d+)");

    private static final String DEBEZIUM_DECODER = "io.debezium.connector.postgresql.";

    private Failures() {}

    public static SourceFailedException classify(Throwable error, PostgresSourceConfig config) {
        if (error instanceof SourceFailedException f) {
            return f;
        }
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof BatchHandler.SinkFailedException s) {
                return new SourceFailedException(FailureReason.SINK, s.getMessage(), s.getCause());
            }
            if (c instanceof UnmappableValueException u) {
                return new SourceFailedException(FailureReason.UNMAPPABLE_VALUE, u.getMessage(), u);
            }
            if (c instanceof PreflightException p) {
                return new SourceFailedException(FailureReason.PREFLIGHT, p.getMessage(), p);
            }
            if (c instanceof TableMissingException t) {
                return new SourceFailedException(FailureReason.TABLE_MISSING, t.getMessage(), t);
            }
        }
        Optional<Throwable> undecodable = debeziumDecodingFailure(error);
        if (undecodable.isPresent()) {
            return undecodable(error, undecodable.get(), config);
        }
        FailureReason reason = reasonOf(error);
        return new SourceFailedException(reason, message(reason, error, config), error);
    }

    private static FailureReason reasonOf(Throwable error) {
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof SSLException || c instanceof CertificateException) {
                return FailureReason.TLS;
            }
        }
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                FailureReason r = bySqlState(sql);
                if (r != null) {
                    return r;
                }
            }
            if (c instanceof java.net.ConnectException
                    || c instanceof UnknownHostException
                    || c instanceof NoRouteToHostException) {
                return FailureReason.UNREACHABLE;
            }
        }
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof ConnectionFailedException) {
                return FailureReason.UNREACHABLE;
            }
        }
        return FailureReason.INTERNAL;
    }

    private static FailureReason bySqlState(SQLException e) {
        String state = e.getSQLState();
        switch (state) {
            case "28P01", "28000":
                return FailureReason.AUTHENTICATION;
            case "42501":
                return FailureReason.PRIVILEGE;
            case "3D000":
                return FailureReason.UNREACHABLE;
            case "55006": // object_in_use: the slot is active for another PID
                return FailureReason.SLOT_IN_USE;
            case "55000": // object_not_in_prerequisite_state: the slot can no longer deliver changes
                return FailureReason.SLOT_INVALIDATED;
            case "42P01":
                return FailureReason.TABLE_MISSING;
            case "42704": // undefined_object: the server's routine tells which
                return undefinedObject(e);
            default:
                return state.startsWith("08") ? FailureReason.UNREACHABLE : null;
        }
    }

    /** 42704 comes for a missing slot and a missing publication; PostgreSQL's error routine tells them apart. */
    private static FailureReason undefinedObject(SQLException e) {
        String routine = e instanceof PSQLException p && p.getServerErrorMessage() != null
                ? String.valueOf(p.getServerErrorMessage().getRoutine())
                : "";
        if (routine.contains("Publication")) {
            return FailureReason.PUBLICATION_MISSING;
        }
        if (routine.contains("ReplicationSlot") || routine.contains("Slot")) {
            return FailureReason.SLOT_MISSING;
        }
        return null;
    }

    private static String message(FailureReason reason, Throwable error, PostgresSourceConfig config) {
        if (error instanceof DrasiPostgresException) {
            return error.getMessage(); // already written for operators
        }
        String slot = config.slotName();
        String pub = config.publicationName();
        String cause = firstLine(rootMessage(error));
        return switch (reason) {
            case SLOT_INVALIDATED ->
                "replication slot " + slot + " was invalidated by PostgreSQL (required WAL was"
                        + " removed, e.g. max_slot_wal_keep_size exceeded): changes were lost (" + cause
                        + "). Drop the slot"
                        + " (SELECT pg_drop_replication_slot('" + slot
                        + "')), clear the offset store, and start again with"
                        + " a bootstrap.";
            case SLOT_MISSING ->
                "replication slot " + slot + " was dropped while streaming: changes since the last"
                        + " acknowledged position may be lost (" + cause
                        + "). Start again with a bootstrap (the slot is"
                        + " recreated).";
            case PUBLICATION_MISSING ->
                "publication " + pub + " was dropped while streaming (" + cause + "). Recreate"
                        + " it (CREATE PUBLICATION " + pub + " FOR TABLE ...) and restart the source; changes committed"
                        + " meanwhile are decoded once it exists again only if the slot still holds them.";
            case SLOT_IN_USE ->
                "replication slot " + slot + " is in use by another consumer (" + cause + "): stop it"
                        + " or choose another slot_name.";
            default ->
                reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + cause + ". Fix: "
                        + reason.fix() + ".";
        };
    }

    /**
     * Debezium's pgoutput decoder failing on a value (e.g. a {@code timetz} whose UTC offset has seconds):
     * a date-time, number or argument exception thrown from Debezium's PostgreSQL connector code.
     */
    private static Optional<Throwable> debeziumDecodingFailure(Throwable error) {
        for (Throwable c = error; c != null; c = c.getCause()) {
            boolean valueError = c instanceof DateTimeException
                    || c instanceof NumberFormatException
                    || c instanceof ArithmeticException;
            if (valueError && thrownBy(c, DEBEZIUM_DECODER)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static boolean thrownBy(Throwable t, String packagePrefix) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith(packagePrefix)) {
                return true;
            }
        }
        return false;
    }

    private static SourceFailedException undecodable(
            Throwable error, Throwable valueError, PostgresSourceConfig config) {
        String at = "an unknown LSN";
        for (Throwable c = error; c != null; c = c.getCause()) {
            Matcher m = OFFSET_LSN.matcher(String.valueOf(c.getMessage()));
            if (m.find()) {
                at = "LSN " + Lsn.of(Long.parseLong(m.group(1)));
                break;
            }
        }
        String slot = config.slotName();
        return new SourceFailedException(
                FailureReason.UNMAPPABLE_VALUE,
                "Debezium could not decode a value of the"
                        + " change at " + at + " (" + firstLine(String.valueOf(valueError.getMessage()))
                        + "); the position was"
                        + " not advanced, the source stopped before that change. Fix: UPDATE the row so the value "
                        + "decodes (e.g."
                        + " give a timetz a whole-minute UTC offset); the stream cannot skip the change, so then "
                        + "drop the slot"
                        + " (SELECT pg_drop_replication_slot('" + slot
                        + "')), clear the offset store and start again with a"
                        + " bootstrap, which reads such values correctly.",
                error);
    }

    private static String rootMessage(Throwable t) {
        String last = String.valueOf(t);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                last = c.getMessage();
            }
        }
        return last;
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse(s);
    }
}

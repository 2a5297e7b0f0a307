package io.drasi.source.postgres.mapping.value;

import io.drasi.source.postgres.mapping.MappingException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;

/**
 * Canonical rendering and parsing of PostgreSQL date/time values. Both converter entry points reduce
 * a value to numbers (epoch day, micros of day, epoch second + nanos, months/days/micros) and render
 * through the same functions here, so they agree by construction.
 *
 * <p>Canonical forms: date {@code YYYY-MM-DD}; time {@code HH:MM:SS[.f]}; timetz
 * {@code HH:MM:SS[.f]Z} (UTC); timestamp {@code YYYY-MM-DDTHH:MM:SS[.f]}; timestamptz
 * {@code YYYY-MM-DDTHH:MM:SS[.f]Z} (UTC); {@code [.f]} is present only when non-zero and has its
 * trailing zeros removed (as PostgreSQL prints it). Years outside 1..9999 use ISO-8601 expanded years
 * ({@code -0043-03-15} for 44 BC, {@code +10000-01-01}). PostgreSQL's {@code infinity} and
 * {@code -infinity} stay those strings. Intervals use PostgreSQL's {@code iso_8601} output
 * ({@code P1Y2M3DT4H5M6.5S}, zero components omitted, {@code PT0S} for zero); PostgreSQL 17's infinite
 * intervals stay {@code infinity} and {@code -infinity}, like infinite dates.
 *
 * <p>Thread-safety: stateless.
 */
final class Temporals {

    static final String INFINITY = "infinity";
    static final String NEG_INFINITY = "-infinity";

    // Debezium's encodings of PostgreSQL's infinite dates/timestamps (PgStatement.DATE_*_INFINITY based)
    static final long POS_INF_EPOCH_DAY = LocalDate.parse("-5877611-06-21").toEpochDay();
    static final long NEG_INF_EPOCH_DAY = LocalDate.parse("-5877611-06-22").toEpochDay();
    static final long POS_INF_MICROS = 9223372036825200000L;
    static final long NEG_INF_MICROS = -9223372036832400000L;

    static final long MICROS_PER_SECOND = 1_000_000L;
    static final long MICROS_PER_DAY = 86_400L * MICROS_PER_SECOND;
    private static final long SECONDS_PER_DAY = 86_400L;

    private Temporals() {}

    // ------------------------------------------------------------------ rendering

    static String date(long epochDay) {
        if (epochDay == POS_INF_EPOCH_DAY) {
            return INFINITY;
        }
        if (epochDay == NEG_INF_EPOCH_DAY) {
            return NEG_INFINITY;
        }
        StringBuilder sb = new StringBuilder(10);
        appendDate(sb, LocalDate.ofEpochDay(epochDay));
        return sb.toString();
    }

    static String timeOfDay(long microsOfDay, boolean utcZone) {
        StringBuilder sb = new StringBuilder(16);
        appendTime(sb, microsOfDay / MICROS_PER_SECOND, (int) (microsOfDay % MICROS_PER_SECOND) * 1000);
        if (utcZone) {
            sb.append('Z');
        }
        return sb.toString();
    }

    /** Epoch micros to canonical timestamp, with {@code Z} when {@code utcZone}. */
    static String timestampMicros(long epochMicros, boolean utcZone) {
        if (epochMicros == POS_INF_MICROS) {
            return INFINITY;
        }
        if (epochMicros == NEG_INF_MICROS) {
            return NEG_INFINITY;
        }
        return timestamp(
                Math.floorDiv(epochMicros, MICROS_PER_SECOND),
                (int) Math.floorMod(epochMicros, MICROS_PER_SECOND) * 1000,
                utcZone);
    }

    static String timestamp(long epochSecond, int nanos, boolean utcZone) {
        long day = Math.floorDiv(epochSecond, SECONDS_PER_DAY);
        long secOfDay = Math.floorMod(epochSecond, SECONDS_PER_DAY);
        StringBuilder sb = new StringBuilder(28);
        appendDate(sb, LocalDate.ofEpochDay(day));
        sb.append('T');
        appendTime(sb, secOfDay, nanos);
        if (utcZone) {
            sb.append('Z');
        }
        return sb.toString();
    }

    private static void appendDate(StringBuilder sb, LocalDate d) {
        int y = d.getYear();
        if (y >= 1 && y <= 9999) {
            pad(sb, y, 4);
            sb.append('-');
            pad(sb, d.getMonthValue(), 2);
            sb.append('-');
            pad(sb, d.getDayOfMonth(), 2);
        } else {
            sb.append(d);
        }
    }

    private static void appendTime(StringBuilder sb, long secondOfDay, int nanos) {
        pad(sb, (int) (secondOfDay / 3600), 2);
        sb.append(':');
        pad(sb, (int) (secondOfDay / 60 % 60), 2);
        sb.append(':');
        pad(sb, (int) (secondOfDay % 60), 2);
        appendFraction(sb, nanos);
    }

    private static void appendFraction(StringBuilder sb, int nanos) {
        if (nanos == 0) {
            return;
        }
        sb.append('.');
        int digits = 9;
        while (nanos % 10 == 0) {
            nanos /= 10;
            digits--;
        }
        pad(sb, nanos, digits);
    }

    private static void pad(StringBuilder sb, int v, int width) {
        int len = 1;
        for (int x = v; x >= 10; x /= 10) {
            len++;
        }
        for (int i = len; i < width; i++) {
            sb.append('0');
        }
        sb.append(v);
    }

    // ------------------------------------------------------------------ parsing PostgreSQL / ISO text

    /** {@code 2024-01-01}, {@code 0044-03-15 BC}, {@code infinity}; also ISO {@code -0043-03-15}. */
    static String parseDate(String s) {
        if (isInfinity(s)) {
            return s.charAt(0) == '-' ? NEG_INFINITY : INFINITY;
        }
        Cursor c = new Cursor(s);
        long day = c.date();
        c.bcSuffixAdjust();
        day = c.applyBc(day);
        c.end();
        return date(day);
    }

    /** {@code HH:MM:SS[.f]} (hour may be 24), no zone. */
    static String parseTime(String s) {
        Cursor c = new Cursor(s);
        long micros = c.time();
        c.end();
        return timeOfDay(micros, false);
    }

    /** {@code HH:MM:SS[.f](Z|±HH[:MM[:SS]])}, normalised to UTC. */
    static String parseTimeTz(String s) {
        Cursor c = new Cursor(s);
        long micros = c.time();
        int offset = c.offset();
        c.end();
        if (micros == MICROS_PER_DAY && offset == 0) {
            return timeOfDay(micros, true);
        }
        return timeOfDay(Math.floorMod(micros - offset * MICROS_PER_SECOND, MICROS_PER_DAY), true);
    }

    /**
     * {@code YYYY-MM-DD[ T]HH:MM:SS[.f][zone][ BC]} or {@code infinity}; with {@code withZone} the result
     * is in UTC with {@code Z} (a missing zone means UTC).
     */
    static String parseTimestamp(String s, boolean withZone) {
        String fast = fastTimestamp(s, withZone);
        if (fast != null) {
            return fast;
        }
        if (isInfinity(s)) {
            return s.charAt(0) == '-' ? NEG_INFINITY : INFINITY;
        }
        Cursor c = new Cursor(s);
        long day = c.date();
        c.expect2(' ', 'T');
        long micros = c.time();
        int offset = 0;
        if (c.hasZone()) {
            offset = c.offset();
        }
        c.bcSuffixAdjust();
        day = c.applyBc(day);
        c.end();
        long seconds = day * SECONDS_PER_DAY + micros / MICROS_PER_SECOND - (withZone ? offset : 0);
        return timestamp(seconds, (int) (micros % MICROS_PER_SECOND) * 1000, withZone);
    }

    /**
     * The common cases on the hot paths, already canonical apart from separators: PostgreSQL's ISO output in
     * a UTC session, {@code YYYY-MM-DD HH:MM:SS[.f]} plus {@code +00} for timestamptz (PostgreSQL never prints
     * trailing zeros in the fraction), and Debezium's ZonedTimestamp {@code YYYY-MM-DDTHH:MM:SS[.f]Z}.
     * Returns null for anything else (full parse).
     */
    private static String fastTimestamp(String s, boolean withZone) {
        int n = s.length();
        // Debezium's ZonedTimestamp is ISO with 'T' and 'Z' and a trimmed fraction: already canonical
        boolean iso = withZone && n >= 20 && s.charAt(n - 1) == 'Z' && s.charAt(10) == 'T';
        int end = iso ? n - 1 : withZone ? n - 3 : n;
        if (end < 19 || (withZone && !iso && !s.startsWith("+00", end))) {
            return null;
        }
        char separator = iso ? 'T' : ' ';
        for (int i = 0; i < 19; i++) {
            char c = s.charAt(i);
            boolean ok = switch (i) {
                case 4, 7 -> c == '-';
                case 10 -> c == separator;
                case 13, 16 -> c == ':';
                default -> c >= '0' && c <= '9';
            };
            if (!ok) {
                return null;
            }
        }
        if (s.charAt(0) == '0' && s.startsWith("0000")) {
            return null; // year 0000 does not exist: BC dates take the full path
        }
        if (end > 19) {
            if (s.charAt(19) != '.' || end == 20 || s.charAt(end - 1) == '0') {
                return null;
            }
            for (int i = 20; i < end; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
            }
        }
        if (iso) {
            return s;
        }
        StringBuilder sb = new StringBuilder(end + 1);
        sb.append(s, 0, 10).append('T').append(s, 11, end);
        if (withZone) {
            sb.append('Z');
        }
        return sb.toString();
    }

    private static boolean isInfinity(String s) {
        return s.equals(INFINITY) || s.equals(NEG_INFINITY) || s.equals("+infinity");
    }

    /** Parses the parts of an ISO-8601 duration as produced by PostgreSQL or Debezium. */
    static String parseInterval(String s) {
        if (isInfinity(s)) { // PostgreSQL 17+
            return s.charAt(0) == '-' ? NEG_INFINITY : INFINITY;
        }
        long months = 0;
        long days = 0;
        long micros = 0;
        if (s.isEmpty() || s.charAt(0) != 'P') {
            throw new MappingException("not an ISO-8601 interval: '" + s + "'");
        }
        boolean time = false;
        int i = 1;
        int n = s.length();
        while (i < n) {
            char ch = s.charAt(i);
            if (ch == 'T') {
                time = true;
                i++;
                continue;
            }
            int start = i;
            while (i < n
                    && (Character.isDigit(s.charAt(i))
                            || s.charAt(i) == '-'
                            || s.charAt(i) == '+'
                            || s.charAt(i) == '.')) {
                i++;
            }
            if (i == start || i == n) {
                throw new MappingException("not an ISO-8601 interval: '" + s + "'");
            }
            String num = s.substring(start, i);
            char unit = s.charAt(i++);
            try {
                if (!time) {
                    switch (unit) {
                        case 'Y' -> months += Long.parseLong(num) * 12;
                        case 'M' -> months += Long.parseLong(num);
                        case 'W' -> days += Long.parseLong(num) * 7;
                        case 'D' -> days += Long.parseLong(num);
                        default -> throw new MappingException("not an ISO-8601 interval: '" + s + "'");
                    }
                } else {
                    switch (unit) {
                        case 'H' -> micros += Long.parseLong(num) * 3_600 * MICROS_PER_SECOND;
                        case 'M' -> micros += Long.parseLong(num) * 60 * MICROS_PER_SECOND;
                        case 'S' ->
                            micros += new BigDecimal(num)
                                    .movePointRight(6)
                                    .setScale(0, RoundingMode.HALF_UP)
                                    .longValueExact();
                        default -> throw new MappingException("not an ISO-8601 interval: '" + s + "'");
                    }
                }
            } catch (NumberFormatException | ArithmeticException e) {
                throw new MappingException("not an ISO-8601 interval: '" + s + "'", e);
            }
        }
        return interval(months, days, micros);
    }

    /** PostgreSQL's iso_8601 IntervalStyle rendering of (months, days, micros). */
    static String interval(long months, long days, long micros) {
        if (months == 0 && days == 0 && micros == 0) {
            return "PT0S";
        }
        StringBuilder sb = new StringBuilder("P");
        long years = months / 12;
        long mons = months % 12;
        if (years != 0) {
            sb.append(years).append('Y');
        }
        if (mons != 0) {
            sb.append(mons).append('M');
        }
        if (days != 0) {
            sb.append(days).append('D');
        }
        if (micros != 0) {
            sb.append('T');
            long hours = micros / (3_600 * MICROS_PER_SECOND);
            long rest = micros % (3_600 * MICROS_PER_SECOND);
            long minutes = rest / (60 * MICROS_PER_SECOND);
            long secMicros = rest % (60 * MICROS_PER_SECOND);
            if (hours != 0) {
                sb.append(hours).append('H');
            }
            if (minutes != 0) {
                sb.append(minutes).append('M');
            }
            if (secMicros != 0) {
                if (secMicros < 0) {
                    sb.append('-');
                    secMicros = -secMicros;
                }
                sb.append(secMicros / MICROS_PER_SECOND);
                appendFraction(sb, (int) (secMicros % MICROS_PER_SECOND) * 1000);
                sb.append('S');
            }
        }
        return sb.toString();
    }

    /** A tiny hand-written scanner: these run on the streaming hot path. */
    private static final class Cursor {
        private final String s;
        private int i;
        private boolean bc;

        Cursor(String s) {
            this.s = s;
        }

        long date() {
            boolean negative = false;
            if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                negative = s.charAt(i) == '-';
                i++;
            }
            int year = digits(4, 9);
            expect('-');
            int month = digits(2, 2);
            expect('-');
            int day = digits(2, 2);
            try {
                return LocalDate.of(negative ? -year : year, month, day).toEpochDay();
            } catch (RuntimeException e) {
                throw fail(e);
            }
        }

        long time() {
            int h = digits(2, 2);
            expect(':');
            int m = digits(2, 2);
            expect(':');
            int sec = digits(2, 2);
            long nanos = 0;
            if (i < s.length() && s.charAt(i) == '.') {
                i++;
                int start = i;
                long frac = 0;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    if (i - start < 9) {
                        frac = frac * 10 + (s.charAt(i) - '0');
                    }
                    i++;
                }
                int len = Math.min(i - start, 9);
                if (len == 0) {
                    throw fail(null);
                }
                for (int k = len; k < 9; k++) {
                    frac *= 10;
                }
                nanos = frac;
            }
            if (h > 24 || m > 59 || sec > 60 || (h == 24 && (m != 0 || sec != 0 || nanos != 0))) {
                throw fail(null);
            }
            // micros precision (PostgreSQL's); nanos from NanoTime/NanoTimestamp are handled numerically
            return (h * 3600L + m * 60L + sec) * MICROS_PER_SECOND + nanos / 1000;
        }

        boolean hasZone() {
            return i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-' || s.charAt(i) == 'Z');
        }

        /** @return offset in seconds east of UTC */
        int offset() {
            if (i >= s.length()) {
                throw fail(null);
            }
            char sign = s.charAt(i++);
            if (sign == 'Z') {
                return 0;
            }
            if (sign != '+' && sign != '-') {
                throw fail(null);
            }
            int h = digits(2, 2);
            int m = 0;
            int sec = 0;
            if (i < s.length() && s.charAt(i) == ':') {
                i++;
                m = digits(2, 2);
                if (i < s.length() && s.charAt(i) == ':') {
                    i++;
                    sec = digits(2, 2);
                }
            } else if (i + 1 < s.length() && Character.isDigit(s.charAt(i))) {
                m = digits(2, 2);
            }
            int total = h * 3600 + m * 60 + sec;
            return sign == '-' ? -total : total;
        }

        void bcSuffixAdjust() {
            if (s.startsWith(" BC", i)) {
                bc = true;
                i += 3;
            }
        }

        long applyBc(long epochDay) {
            if (!bc) {
                return epochDay;
            }
            // year N BC is ISO year 1 - N
            LocalDate d = LocalDate.ofEpochDay(epochDay);
            return d.withYear(1 - d.getYear()).toEpochDay();
        }

        void expect(char ch) {
            if (i >= s.length() || s.charAt(i) != ch) {
                throw fail(null);
            }
            i++;
        }

        void expect2(char a, char b) {
            if (i >= s.length() || (s.charAt(i) != a && s.charAt(i) != b)) {
                throw fail(null);
            }
            i++;
        }

        void end() {
            if (i != s.length()) {
                throw fail(null);
            }
        }

        private int digits(int min, int max) {
            int start = i;
            int v = 0;
            while (i < s.length() && i - start < max && Character.isDigit(s.charAt(i))) {
                v = v * 10 + (s.charAt(i++) - '0');
            }
            if (i - start < min) {
                throw fail(null);
            }
            return v;
        }

        private MappingException fail(Throwable cause) {
            return new MappingException("unparsable date/time value '" + s + "'", cause);
        }
    }
}

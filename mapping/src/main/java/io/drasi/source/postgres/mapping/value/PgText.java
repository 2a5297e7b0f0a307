package io.drasi.source.postgres.mapping.value;

import io.drasi.source.postgres.mapping.MappingException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parsers for PostgreSQL text output formats that are not a single scalar: array literals, hstore,
 * hex bytea, ranges.
 *
 * <p>Thread-safety: stateless.
 */
final class PgText {

    private PgText() {}

    /**
     * Parses an array literal such as {@code {1,2,NULL,"a,b"}}, nested {@code {{1,2},{3,4}}}, with an
     * optional dimension decoration {@code [0:1]={...}}. Elements are returned as {@code String} (null
     * for an unquoted {@code NULL}) or nested {@code List}.
     *
     * @param literal   the literal; never null
     * @param delimiter the element delimiter ({@code ,} for all types except {@code box}, which uses {@code ;})
     * @return the top-level elements
     */
    static List<Object> parseArray(String literal, char delimiter) {
        String s = literal;
        if (!s.isEmpty() && s.charAt(0) == '[') {
            int eq = s.indexOf('=');
            if (eq < 0) {
                throw new MappingException("unparsable array literal '" + literal + "'");
            }
            s = s.substring(eq + 1);
        }
        int[] pos = {skipSpace(s, 0)};
        List<Object> result = parseLevel(s, pos, delimiter, literal);
        if (skipSpace(s, pos[0]) != s.length()) {
            throw new MappingException("trailing characters in array literal '" + literal + "'");
        }
        return result;
    }

    private static List<Object> parseLevel(String s, int[] pos, char delim, String literal) {
        int i = pos[0];
        if (i >= s.length() || s.charAt(i) != '{') {
            throw new MappingException("array literal must start with '{': '" + literal + "'");
        }
        i++;
        List<Object> out = new ArrayList<>();
        i = skipSpace(s, i);
        if (i < s.length() && s.charAt(i) == '}') {
            pos[0] = i + 1;
            return out;
        }
        while (true) {
            i = skipSpace(s, i);
            if (i >= s.length()) {
                throw new MappingException("unterminated array literal '" + literal + "'");
            }
            char c = s.charAt(i);
            if (c == '{') {
                pos[0] = i;
                out.add(parseLevel(s, pos, delim, literal));
                i = pos[0];
            } else if (c == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (true) {
                    if (i >= s.length()) {
                        throw new MappingException("unterminated quoted element in array literal '" + literal + "'");
                    }
                    char q = s.charAt(i++);
                    if (q == '\\') {
                        if (i >= s.length()) {
                            throw new MappingException("dangling escape in array literal '" + literal + "'");
                        }
                        sb.append(s.charAt(i++));
                    } else if (q == '"') {
                        break;
                    } else {
                        sb.append(q);
                    }
                }
                out.add(sb.toString());
            } else {
                StringBuilder sb = new StringBuilder();
                boolean escaped = false;
                while (i < s.length()) {
                    char u = s.charAt(i);
                    if (u == '\\' && i + 1 < s.length()) {
                        sb.append(s.charAt(i + 1));
                        i += 2;
                        escaped = true;
                        continue;
                    }
                    if (u == delim || u == '}') {
                        break;
                    }
                    sb.append(u);
                    i++;
                }
                String raw = sb.toString().strip();
                out.add(!escaped && raw.equalsIgnoreCase("NULL") ? null : raw);
            }
            i = skipSpace(s, i);
            if (i >= s.length()) {
                throw new MappingException("unterminated array literal '" + literal + "'");
            }
            char sep = s.charAt(i);
            if (sep == '}') {
                pos[0] = i + 1;
                return out;
            }
            if (sep != delim) {
                throw new MappingException("unexpected '" + sep + "' in array literal '" + literal + "'");
            }
            i++;
        }
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * Parses hstore text output {@code "a"=>"1", "b"=>NULL} into a map sorted by key (hstore has no
     * key order; sorting makes both converter paths agree).
     */
    static Map<String, String> parseHstore(String text) {
        Map<String, String> map = new TreeMap<>();
        int i = skipSpace(text, 0);
        int n = text.length();
        while (i < n) {
            int[] pos = {i};
            String key = hstoreToken(text, pos);
            if (key == null) {
                throw new MappingException("hstore key must not be NULL: '" + text + "'");
            }
            i = skipSpace(text, pos[0]);
            if (!text.startsWith("=>", i)) {
                throw new MappingException("unparsable hstore value '" + text + "'");
            }
            pos[0] = skipSpace(text, i + 2);
            String value = hstoreToken(text, pos);
            map.put(key, value);
            i = skipSpace(text, pos[0]);
            if (i < n) {
                if (text.charAt(i) != ',') {
                    throw new MappingException("unparsable hstore value '" + text + "'");
                }
                i = skipSpace(text, i + 1);
            }
        }
        return map;
    }

    private static String hstoreToken(String s, int[] pos) {
        int i = pos[0];
        if (i < s.length() && s.charAt(i) == '"') {
            StringBuilder sb = new StringBuilder();
            i++;
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\' && i < s.length()) {
                    c = s.charAt(i++);
                }
                sb.append(c);
            }
            if (i >= s.length()) {
                throw new MappingException("unterminated hstore string in '" + s + "'");
            }
            pos[0] = i + 1;
            return sb.toString();
        }
        int start = i;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != ',' && s.charAt(i) != '=') {
            i++;
        }
        pos[0] = i;
        String raw = s.substring(start, i);
        if (raw.isEmpty()) {
            throw new MappingException("unparsable hstore value '" + s + "'");
        }
        return raw.equalsIgnoreCase("NULL") ? null : raw;
    }

    /** Decodes {@code bytea_output=hex} text ({@code \x0a1b}) to base64. */
    static String byteaHexToBase64(String text) {
        if (!text.startsWith("\\x")) {
            throw new MappingException(
                    "bytea text must be in hex format (bytea_output=hex), got '" + abbreviate(text) + "'");
        }
        int n = (text.length() - 2) / 2;
        if ((text.length() - 2) % 2 != 0) {
            throw new MappingException("odd-length hex bytea '" + abbreviate(text) + "'");
        }
        byte[] bytes = new byte[n];
        for (int k = 0; k < n; k++) {
            int hi = Character.digit(text.charAt(2 + 2 * k), 16);
            int lo = Character.digit(text.charAt(3 + 2 * k), 16);
            if (hi < 0 || lo < 0) {
                throw new MappingException("invalid hex bytea '" + abbreviate(text) + "'");
            }
            bytes[k] = (byte) ((hi << 4) | lo);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Re-renders a {@code tstzrange} literal with each bound in canonical UTC form, so the walsender's
     * session time zone does not leak into values: {@code ["2024-01-01T04:30:00Z",)}.
     */
    /**
     * A {@code tstzmultirange}'s text with each range canonical as in {@link #canonicalTstzRange(String)}:
     * {@code {["2024-01-01T04:30:00Z",),...}}.
     *
     * @param text the multirange's text; never null
     * @return the canonical text
     */
    static String canonicalTstzMultirange(String text) {
        String t = text.strip();
        if (t.length() < 2 || t.charAt(0) != '{' || t.charAt(t.length() - 1) != '}') {
            throw new MappingException("unparsable multirange '" + abbreviate(text) + "'");
        }
        StringBuilder sb = new StringBuilder(t.length()).append('{');
        int depth = 0;
        boolean quoted = false;
        int start = 1;
        for (int k = 1; k < t.length() - 1; k++) {
            char c = t.charAt(k);
            if (c == '\\') {
                k++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '[' || c == '(')) {
                depth++;
            } else if (!quoted && (c == ']' || c == ')')) {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                sb.append(canonicalTstzRange(t.substring(start, k))).append(',');
                start = k + 1;
            }
        }
        String last = t.substring(start, t.length() - 1);
        if (!last.isBlank()) {
            sb.append(canonicalTstzRange(last));
        }
        return sb.append('}').toString();
    }

    static String canonicalTstzRange(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("empty")) {
            return "empty";
        }
        if (t.length() < 3) {
            throw new MappingException("unparsable range '" + text + "'");
        }
        char open = t.charAt(0);
        char close = t.charAt(t.length() - 1);
        if ((open != '[' && open != '(') || (close != ']' && close != ')')) {
            throw new MappingException("unparsable range '" + text + "'");
        }
        String inner = t.substring(1, t.length() - 1);
        int comma = -1;
        boolean quoted = false;
        for (int k = 0; k < inner.length(); k++) {
            char c = inner.charAt(k);
            if (c == '\\') {
                k++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                comma = k;
                break;
            }
        }
        if (comma < 0) {
            throw new MappingException("unparsable range '" + text + "'");
        }
        return open + bound(inner.substring(0, comma)) + "," + bound(inner.substring(comma + 1)) + close;
    }

    private static String bound(String raw) {
        String b = raw.strip();
        if (b.isEmpty()) {
            return "";
        }
        if (b.charAt(0) == '"' && b.endsWith("\"") && b.length() >= 2) {
            b = b.substring(1, b.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return '"' + Temporals.parseTimestamp(b, true) + '"';
    }

    static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    /**
     * The text form of a streamed (Kafka Connect) value, for values the value table cannot convert: strings as they
     * came (Debezium keeps PostgreSQL's text for most types it does not convert), text bytes of unknown types
     * decoded as UTF-8, {@code bytea} as PostgreSQL's hex form, lists as an array literal, anything else via
     * {@code toString()}. Best effort: Debezium may already have altered the text (e.g. float formatting).
     *
     * @param schema     the field's schema; never null
     * @param value      the value; null for SQL NULL
     * @param sourceType the column's PostgreSQL type name, or null
     * @return the text; null for SQL NULL
     */
    static String fromConnect(org.apache.kafka.connect.data.Schema schema, Object value, String sourceType) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] || value instanceof java.nio.ByteBuffer) {
            byte[] b = PgValueConverter.bytes(value);
            if ("bytea".equals(sourceType)) {
                StringBuilder sb = new StringBuilder(2 + 2 * b.length).append("\\x");
                for (byte x : b) {
                    sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
                }
                return sb.toString();
            }
            return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        }
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                String e = fromConnect(schema.valueSchema(), list.get(i), null);
                sb.append(e == null ? "NULL" : quoteArrayElement(e));
            }
            return sb.append('}').toString();
        }
        return value.toString();
    }

    private static String quoteArrayElement(String e) {
        boolean plain = !e.isEmpty() && !e.equalsIgnoreCase("NULL");
        for (int i = 0; plain && i < e.length(); i++) {
            char c = e.charAt(i);
            plain = c != '"' && c != '\\' && c != ',' && c != '{' && c != '}' && !Character.isWhitespace(c);
        }
        return plain ? e : '"' + e.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static final java.util.regex.Pattern NUMBER =
            java.util.regex.Pattern.compile("-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|-?Infinity|NaN");

    /**
     * A geometric value's text ({@code point}, {@code box}, {@code circle}, {@code line}, {@code lseg}, {@code path},
     * {@code polygon}) with every number rendered as PostgreSQL renders a {@code float8} ({@link #float8(double)}), so
     * the server's text and pgjdbc's re-rendering of the same value agree.
     *
     * @param text the value's text; never null
     * @return the canonical text
     */
    static String geometric(String text) {
        if (text.isEmpty() || "(<[{".indexOf(text.charAt(0)) < 0) {
            throw new MappingException("invalid geometric value '" + abbreviate(text) + "'");
        }
        java.util.regex.Matcher m = NUMBER.matcher(text);
        StringBuilder sb = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(float8(Double.parseDouble(m.group()))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * A double as PostgreSQL's {@code float8out} renders it with {@code extra_float_digits > 0}: the shortest
     * digits that read back exactly, plain notation for decimal exponents -4..14, else {@code 1.5e+20} /
     * {@code 1e-05}; {@code NaN}, {@code Infinity}, {@code -Infinity}, {@code -0}.
     *
     * @param d the value
     * @return its text
     */
    static String float8(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d) < 0 ? "-0" : "0";
        }
        java.math.BigDecimal bd = new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = bd.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - bd.scale();
        String sign = bd.signum() < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 15) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int e = Math.abs(exponent);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
        }
        return bd.toPlainString();
    }
}

package io.drasi.source.postgres.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.drasi.source.postgres.GeneratedColumns;
import io.drasi.source.postgres.TableKeyConfig;
import io.drasi.source.postgres.core.SslMode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The type of a configuration key: how a YAML value is read (after environment substitution), how
 * it is documented and how it is rendered. Reading reports type errors naming the key and the
 * expected type; it never echoes the value of a secret key.
 *
 * @param <T> the Java type
 */
abstract class KeyType<T> {

    /** A value could not be read; the message is the complete problem line, or null if already reported. */
    static final class ReadFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ReadFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** What a reader needs besides the node: the environment, the spelling, and where to report. */
    static final class ReadContext {
        final Map<String, String> env;
        final Naming naming;
        final List<String> problems;

        ReadContext(Map<String, String> env, Naming naming, List<String> problems) {
            this.env = env;
            this.naming = naming;
            this.problems = problems;
        }

        /**
         * The scalar's text with environment references resolved: in the seed format (snake_case) every
         * {@code ${VAR}} inside the text; in the drasi-server format (camelCase) as drasi-server's
         * {@code ConfigValue} does, a whole-value {@code ${VAR}} / {@code ${VAR:-default}} or a mapping
         * {@code {kind: EnvironmentVariable, name, default}} ({@code kind: Secret} needs drasi-server's
         * secret store and is refused naming the alternative).
         *
         * @return the scalar's text with references resolved
         * @throws ReadFailure if not a scalar or a variable is unresolved
         */
        String text(JsonNode node, String path, String expected, boolean secret) throws ReadFailure {
            if (node == null || node.isNull() || node.isMissingNode()) {
                throw new ReadFailure(
                        "`" + path + "` has no value; expected " + expected + " (remove the line to use the default)");
            }
            boolean server = naming == Naming.CAMEL;
            if (server && node.isObject() && node.has("kind")) {
                return reference(node, path);
            }
            if (!node.isValueNode()) {
                throw new ReadFailure("`" + path + "`: expected " + expected + ", got " + describe(node, secret));
            }
            YamlEnv.Result r =
                    server ? YamlEnv.substituteWhole(node.asText(), env) : YamlEnv.substitute(node.asText(), env);
            return resolved(r, path);
        }

        /** drasi-server's structured reference: {@code {kind: EnvironmentVariable, name: X, default: "d"}}. */
        private String reference(JsonNode node, String path) throws ReadFailure {
            String kind = node.get("kind").asText();
            JsonNode name = node.get("name");
            if ("Secret".equals(kind)) {
                throw new ReadFailure("`" + path + "`: `kind: Secret` references drasi-server's secret store, which"
                        + " this source does not have; pass the value through an environment variable instead, e.g. `"
                        + path + ": ${"
                        + (name != null && name.isTextual()
                                ? name.asText()
                                        .toUpperCase(java.util.Locale.ROOT)
                                        .replaceAll("[^A-Z0-9_]", "_")
                                : "VAR")
                        + "}`");
            }
            if (!"EnvironmentVariable".equals(kind)) {
                throw new ReadFailure("`" + path + "`: unknown reference kind '" + kind
                        + "'; use `kind: EnvironmentVariable` (with `name` and optional `default`) or ${VAR}");
            }
            if (name == null || !name.isTextual() || name.asText().isEmpty()) {
                throw new ReadFailure("`" + path + "`: `kind: EnvironmentVariable` needs `name`, the variable's name");
            }
            JsonNode dflt = node.get("default");
            String value = env.get(name.asText());
            if (value != null) {
                return value;
            }
            if (dflt != null && dflt.isValueNode() && !dflt.isNull()) {
                return dflt.asText();
            }
            return resolved(new YamlEnv.Result("", List.of(name.asText())), path);
        }

        private String resolved(YamlEnv.Result r, String path) throws ReadFailure {
            if (!r.missing().isEmpty()) {
                throw new ReadFailure("`" + path + "`: environment variable "
                        + r.missing().stream().map(v -> "`" + v + "`").collect(Collectors.joining(", "))
                        + (r.missing().size() == 1 ? " is" : " are")
                        + " not set and has no default; set it, or write ${"
                        + r.missing().get(0)
                        + ":-default} to give a default");
            }
            return r.value();
        }
    }

    /** The type as documented, e.g. {@code duration}. */
    final String docName;
    /** What a type error says is expected, e.g. {@code an integer}. */
    final String expected;

    KeyType(String docName, String expected) {
        this.docName = docName;
        this.expected = expected;
    }

    abstract T read(JsonNode node, String path, boolean secret, ReadContext ctx) throws ReadFailure;

    String render(T value) {
        return String.valueOf(value);
    }

    static String describe(JsonNode node, boolean secret) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (secret) {
            return "a value (hidden)";
        }
        String t = node.asText();
        return node.isTextual() ? "\"" + abbreviate(t) + "\"" : abbreviate(t);
    }

    static String got(String text, boolean secret) {
        return secret ? "a value (hidden)" : "\"" + abbreviate(text) + "\"";
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    // ---------------------------------------------------------------- instances

    static final KeyType<String> STRING = new KeyType<>("string", "a string") {
        @Override
        String read(JsonNode node, String path, boolean secret, ReadContext ctx) throws ReadFailure {
            return ctx.text(node, path, expected, secret);
        }
    };

    static final KeyType<Integer> INT = new KeyType<>("integer", "an integer") {
        private final Pattern digits = Pattern.compile("[+-]?\\d{1,10}");

        @Override
        Integer read(JsonNode node, String path, boolean secret, ReadContext ctx) throws ReadFailure {
            if (node != null && node.isIntegralNumber()) {
                if (!node.canConvertToInt()) {
                    throw new ReadFailure("`" + path + "`: " + node.asText() + " is too large for an integer");
                }
                return node.intValue();
            }
            if (node != null && node.isNumber()) {
                throw new ReadFailure("`" + path + "`: expected an integer, got " + describe(node, secret));
            }
            String t = ctx.text(node, path, expected, secret).trim();
            if (digits.matcher(t).matches()) {
                long v = Long.parseLong(t);
                if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    return (int) v;
                }
            }
            throw new ReadFailure("`" + path + "`: expected an integer, got " + got(t, secret));
        }
    };

    static final KeyType<Boolean> BOOL = new KeyType<>("boolean", "true or false") {
        @Override
        Boolean read(JsonNode node, String path, boolean secret, ReadContext ctx) throws ReadFailure {
            if (node != null && node.isBoolean()) {
                return node.booleanValue();
            }
            String t = ctx.text(node, path, expected, secret).trim();
            if (t.equalsIgnoreCase("true")) {
                return true;
            }
            if (t.equalsIgnoreCase("false")) {
                return false;
            }
            throw new ReadFailure("`" + path + "`: expected true or false, got " + got(t, secret));
        }
    };

    static final KeyType<Duration> DURATION = new KeyType<>("duration", "a duration (" + Durations.SYNTAX + ")") {
        @Override
        Duration read(JsonNode node, String path, boolean secret, ReadContext ctx) throws ReadFailure {
            if (node != null && node.isIntegralNumber()) {
                if (!node.canConvertToLong() || node.longValue() < 0) {
                    throw new ReadFailure("`" + path + "`: expected " + expected + ", got " + node.asText());
                }
                return Duration.ofMillis(node.longValue());
            }
            if (node != null && node.isNumber()) {
                throw new ReadFailure("`" + path + "`: expected " + expected + ", got " + node.asText());
            }
            String t = ctx.text(node, path, expected, secret);
            try {
                return Durations.parse(t);
            } catch (IllegalArgumentException e) {
                throw new ReadFailure("`" + path + "`: expected " + expected + ", got " + got(t, secret));
            }
        }

        @Override
        String render(Duration value) {
            return Durations.format(value);
        }
    };

    static final KeyType<List<String>> STRING_LIST = new KeyType<>("list of strings", "a list of strings") {
        @Override
        List<String> read(JsonNode node, String path, boolean secret, ReadContext ctx) throws ReadFailure {
            return readStringList(node, path, ctx);
        }
    };

    static final KeyType<SslMode> SSL_MODE = enumeration(SslMode.values(), SslMode::value, SslMode::find);

    static final KeyType<Path> PATH = new KeyType<>("path", "a file path") {
        @Override
        Path read(JsonNode node, String path, boolean secret, ReadContext ctx) throws ReadFailure {
            String t = ctx.text(node, path, expected, secret);
            try {
                return Path.of(t);
            } catch (InvalidPathException e) {
                throw new ReadFailure("`" + path + "`: not a valid file path: " + e.getReason());
            }
        }
    };

    static final KeyType<Map<String, String>> STRING_MAP =
            new KeyType<>("map of string to string", "a mapping of names to values") {
                @Override
                Map<String, String> read(JsonNode node, String path, boolean secret, ReadContext ctx)
                        throws ReadFailure {
                    if (node == null || !node.isObject()) {
                        throw new ReadFailure(
                                "`" + path + "`: expected " + expected + ", got " + describe(node, secret));
                    }
                    List<Map.Entry<String, JsonNode>> entries = List.copyOf(node.properties());
                    List<String> values = readEach(
                            entries.size(),
                            ctx,
                            i -> ctx.text(
                                    entries.get(i).getValue(),
                                    path + "." + entries.get(i).getKey(),
                                    "a string",
                                    secret));
                    Map<String, String> out = new LinkedHashMap<>();
                    for (int i = 0; i < entries.size(); i++) {
                        out.put(entries.get(i).getKey(), values.get(i));
                    }
                    return out;
                }

                @Override
                String render(Map<String, String> value) {
                    return value.toString();
                }
            };

    static final KeyType<List<TableKeyConfig>> TABLE_KEYS =
            new KeyType<>("list of {table, key_columns}", "a list of {table, key_columns} entries") {
                @Override
                List<TableKeyConfig> read(JsonNode node, String path, boolean secret, ReadContext ctx)
                        throws ReadFailure {
                    String columnsName = ctx.naming.nested("key_columns", "keyColumns");
                    String expect = "a list of {table, " + columnsName + "} entries";
                    if (node == null || !node.isArray()) {
                        throw new ReadFailure("`" + path + "`: expected " + expect + ", got " + describe(node, false));
                    }
                    List<TableKeyConfig> out = new ArrayList<>();
                    boolean failed = false;
                    Set<String> fields = Set.of("table", columnsName);
                    for (int i = 0; i < node.size(); i++) {
                        JsonNode entry = node.get(i);
                        String at = path + "[" + i + "]";
                        if (!entry.isObject()) {
                            ctx.problems.add("`" + at + "`: expected a mapping {table, " + columnsName + "}, got "
                                    + describe(entry, false));
                            failed = true;
                            continue;
                        }
                        for (Map.Entry<String, JsonNode> field : entry.properties()) {
                            String name = field.getKey();
                            if (!fields.contains(name)) {
                                ctx.problems.add("`" + at + "." + name + "`: unknown key"
                                        + Suggestions.closest(name, fields)
                                                .map(s -> "; did you mean `" + s + "`?")
                                                .orElse("; an entry has only `table` and `" + columnsName + "`"));
                                failed = true;
                            }
                        }
                        String table = null;
                        List<String> columns = null;
                        try {
                            if (!entry.has("table")) {
                                throw new ReadFailure(
                                        "`" + at + ".table` is missing; name the table the key columns belong to");
                            }
                            table = ctx.text(entry.get("table"), at + ".table", "a table name", false);
                        } catch (ReadFailure f) {
                            ctx.problems.add(f.getMessage());
                            failed = true;
                        }
                        try {
                            if (!entry.has(columnsName)) {
                                throw new ReadFailure(
                                        "`" + at + "." + columnsName + "` is missing; list the key columns, e.g. [id]");
                            }
                            columns = readStringList(entry.get(columnsName), at + "." + columnsName, ctx);
                        } catch (ReadFailure f) {
                            if (f.getMessage() != null) {
                                ctx.problems.add(f.getMessage());
                            }
                            failed = true;
                        }
                        if (table != null && columns != null) {
                            out.add(new TableKeyConfig(table, columns));
                        }
                    }
                    if (failed) {
                        throw new ReadFailure(null);
                    }
                    return out;
                }

                @Override
                String render(List<TableKeyConfig> value) {
                    return value.stream()
                            .map(k -> k.table() + "=" + k.keyColumns())
                            .collect(Collectors.joining(", ", "[", "]"));
                }
            };

    static final KeyType<GeneratedColumns> GENERATED_COLUMNS =
            enumeration(GeneratedColumns.values(), GeneratedColumns::value, GeneratedColumns::find);

    static final KeyType<io.drasi.source.postgres.SlotLossPolicy> SLOT_LOSS = enumeration(
            io.drasi.source.postgres.SlotLossPolicy.values(),
            io.drasi.source.postgres.SlotLossPolicy::value,
            io.drasi.source.postgres.SlotLossPolicy::find);

    static final KeyType<io.drasi.source.postgres.TableRemovedPolicy> TABLE_REMOVED =
            enumeration(io.drasi.source.postgres.TableRemovedPolicy.values(), v -> v.value());

    static final KeyType<io.drasi.source.postgres.mapping.value.UnmappableValues> UNMAPPABLE_VALUES = enumeration(
            io.drasi.source.postgres.mapping.value.UnmappableValues.values(),
            io.drasi.source.postgres.mapping.value.UnmappableValues::value,
            t -> java.util.Arrays.stream(io.drasi.source.postgres.mapping.value.UnmappableValues.values())
                    .filter(v -> v.value().equalsIgnoreCase(t.strip()))
                    .findFirst());

    /** A choice among fixed values, written as {@code value(e)}; {@code find} parses a spelling. */
    /** {@link #enumeration(Object[], java.util.function.Function, java.util.function.Function)}, case-insensitive. */
    private static <E> KeyType<E> enumeration(E[] values, java.util.function.Function<E, String> value) {
        return enumeration(
                values,
                value,
                t -> java.util.Arrays.stream(values)
                        .filter(v -> value.apply(v).equalsIgnoreCase(t.strip()))
                        .findFirst());
    }

    private static <E> KeyType<E> enumeration(
            E[] values,
            java.util.function.Function<E, String> value,
            java.util.function.Function<String, java.util.Optional<E>> find) {
        List<String> spellings = java.util.Arrays.stream(values).map(value).toList();
        return new KeyType<>(String.join(" \\| ", spellings), "one of " + String.join(", ", spellings)) {
            @Override
            E read(JsonNode node, String path, boolean secret, ReadContext ctx) throws ReadFailure {
                String t = ctx.text(node, path, expected, secret);
                return find.apply(t)
                        .orElseThrow(() ->
                                new ReadFailure("`" + path + "`: expected " + expected + ", got " + got(t, secret)));
            }

            @Override
            String render(E v) {
                return value.apply(v);
            }
        };
    }

    static List<String> readStringList(JsonNode node, String path, ReadContext ctx) throws ReadFailure {
        if (node == null || !node.isArray()) {
            throw new ReadFailure(
                    "`" + path + "`: expected a list of strings (e.g. [a, b]), got " + describe(node, false));
        }
        return readEach(node.size(), ctx, i -> ctx.text(node.get(i), path + "[" + i + "]", "a string", false));
    }

    /** Reads the element at an index of a list or mapping. */
    @FunctionalInterface
    interface ElementReader<E> {
        E read(int index) throws ReadFailure;
    }

    /**
     * Reads {@code count} elements, reporting every element that fails, not only the first.
     *
     * @return the elements read, in index order
     * @throws ReadFailure (already reported) when an element failed
     */
    static <E> List<E> readEach(int count, ReadContext ctx, ElementReader<E> element) throws ReadFailure {
        List<E> out = new ArrayList<>();
        boolean failed = false;
        for (int i = 0; i < count; i++) {
            try {
                out.add(element.read(i));
            } catch (ReadFailure f) {
                ctx.problems.add(f.getMessage());
                failed = true;
            }
        }
        if (failed) {
            throw new ReadFailure(null);
        }
        return out;
    }
}

package io.drasi.source.postgres.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Environment-variable substitution in configuration values, after YAML parsing (a variable can never
 * inject YAML structure). Two rule sets:
 *
 * <p>{@link #substitute} (seed / drasi-lib files): every {@code ${VAR}} inside a value is replaced by
 * the variable's value, {@code ${VAR:-default}} by the value or, when the variable is unset or empty,
 * by {@code default}. <code>$${</code> writes a literal <code>${</code>. Text without a complete
 * {@code ${...}} is left as it is.
 *
 * <p>{@link #substituteWhole} (drasi-server files), as drasi-server's {@code ConfigValue} resolves
 * them: only a value that is exactly {@code ${NAME}} or {@code ${NAME:-default}} is a reference (text
 * around it makes the whole value a literal); a set variable wins even when empty; the default applies
 * only when the variable is unset.
 */
final class YamlEnv {

    /**
     * @param value   the text after substitution (meaningful only if {@code missing} is empty)
     * @param missing names of variables that were unset and had no default, in order of appearance
     */
    record Result(String value, List<String> missing) {}

    private YamlEnv() {}

    /**
     * @param text the raw value; never null
     * @param env  the environment; never null
     * @return the substituted value and any unresolved variables
     */
    static Result substitute(String text, Map<String, String> env) {
        if (text.indexOf('$') < 0) {
            return new Result(text, List.of());
        }
        StringBuilder out = new StringBuilder(text.length());
        List<String> missing = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (c == '$' && text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end > 0) {
                    String body = text.substring(i + 2, end);
                    int sep = body.indexOf(":-");
                    String name = sep >= 0 ? body.substring(0, sep) : body;
                    if (isVariableName(name)) {
                        String v = env.get(name);
                        if (sep >= 0) {
                            out.append(v == null || v.isEmpty() ? body.substring(sep + 2) : v);
                        } else if (v == null) {
                            missing.add(name);
                        } else {
                            out.append(v);
                        }
                        i = end + 1;
                        continue;
                    }
                }
            }
            out.append(c);
            i++;
        }
        return new Result(out.toString(), List.copyOf(missing));
    }

    /**
     * drasi-server's rule: the value is a reference only if it starts with <code>${</code> and ends with
     * <code>}</code>; the name runs to the first {@code :-}, the default is the rest.
     *
     * @param text the raw value; never null
     * @param env  the environment; never null
     * @return the resolved value, or the text unchanged when it is not a reference
     */
    static Result substituteWhole(String text, Map<String, String> env) {
        if (!text.startsWith("${") || !text.endsWith("}") || text.length() < 3) {
            return new Result(text, List.of());
        }
        String inner = text.substring(2, text.length() - 1);
        int sep = inner.indexOf(":-");
        String name = sep >= 0 ? inner.substring(0, sep) : inner;
        String value = env.get(name);
        if (value != null) {
            return new Result(value, List.of());
        }
        return sep >= 0 ? new Result(inner.substring(sep + 2), List.of()) : new Result(text, List.of(name));
    }

    private static boolean isVariableName(String name) {
        if (name.isEmpty() || !(Character.isLetter(name.charAt(0)) || name.charAt(0) == '_')) {
            return false;
        }
        for (int k = 1; k < name.length(); k++) {
            char ch = name.charAt(k);
            if (!(ch == '_' || (ch < 128 && Character.isLetterOrDigit(ch)))) {
                return false;
            }
        }
        return name.charAt(0) < 128;
    }
}

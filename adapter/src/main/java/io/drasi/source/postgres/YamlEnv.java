package io.drasi.source.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Environment-variable substitution in configuration values, as drasi-server does it:
 * {@code ${VAR}} is replaced by the variable's value, {@code ${VAR:-default}} by the value or, when
 * the variable is unset or empty, by {@code default}. <code>$${</code> writes a literal <code>${</code>. Text
 * without a complete {@code ${...}} is left as it is. Applied to scalar values only, after YAML
 * parsing, so a variable can never inject YAML structure.
 */
final class YamlEnv {

    /**
     * @param value   the text after substitution (meaningful only if {@code missing} is empty)
     * @param missing names of variables that were unset and had no default, in order of appearance
     */
    record Result(String value, List<String> missing) {
    }

    private YamlEnv() {
    }

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

package dev.tok.benchmarks.util;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} / {@code --name=value} command-line options; unknown names fail. */
public final class Args {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    /**
     * @param argv  the arguments
     * @param known the accepted option names, without dashes
     * @throws IllegalArgumentException for an unknown option or a missing value
     */
    public Args(String[] argv, String... known) {
        Set<String> names = Set.of(known);
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'; options look like --name value");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < argv.length) {
                value = argv[++i];
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
            if (!names.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + new java.util.TreeSet<>(names));
            }
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
    }

    /** @return true if the option was given */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** @return the last value, or the default */
    public String string(String name, String def) {
        List<String> v = values.get(name);
        return v == null ? def : v.get(v.size() - 1);
    }

    /** @return every value given for a repeatable option, comma-separated values split */
    public List<String> list(String name, String def) {
        List<String> out = new ArrayList<>();
        List<String> v = values.get(name);
        for (String s : v == null ? (def == null ? List.<String>of() : List.of(def)) : v) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    /** @return the value as an int */
    public int integer(String name, int def) {
        String v = string(name, null);
        try {
            return v == null ? def : Integer.parseInt(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + v + "'");
        }
    }

    /** @return the value as a double */
    public double decimal(String name, double def) {
        String v = string(name, null);
        try {
            return v == null ? def : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, was '" + v + "'");
        }
    }
}

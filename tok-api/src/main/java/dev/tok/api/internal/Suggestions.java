package dev.tok.api.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * "Did you mean ...?" for misspelled names: provider names, setting keys, property keys. Not
 * exported: tok-api's own error messages use it.
 */
public final class Suggestions {

    /** The largest edit distance still taken for a typo. */
    static final int MAX_DISTANCE = 2;

    private Suggestions() {
    }

    /**
     * The known name closest to a misspelled one: the smallest Damerau-Levenshtein distance
     * (optimal string alignment: insert, delete, substitute, swap two neighbours) of at most 2,
     * ignoring case, ties broken alphabetically; failing that, the only known name that starts
     * with the given one (at least 3 characters: {@code jetty} for {@code jetty-ws}).
     *
     * @param given the unknown name; not null
     * @param known the names that exist; not null
     * @return the suggestion, or empty when nothing is close or the name is itself known
     */
    public static Optional<String> closest(String given, Collection<String> known) {
        if (known.contains(given)) {
            return Optional.empty();
        }
        String g = given.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : new TreeSet<>(known)) {
            int d = distance(g, k.toLowerCase(Locale.ROOT));
            if (d < bestDistance && d <= MAX_DISTANCE && d < Math.max(g.length(), k.length())) {
                best = k;
                bestDistance = d;
            }
        }
        if (best == null && g.length() >= 3) {
            String prefixed = null;
            for (String k : known) {
                if (k.toLowerCase(Locale.ROOT).startsWith(g)) {
                    if (prefixed != null) {
                        return Optional.empty();
                    }
                    prefixed = k;
                }
            }
            best = prefixed;
        }
        return Optional.ofNullable(best);
    }

    /**
     * The hint to put into an error message.
     *
     * @param given the unknown name; not null
     * @param known the names that exist; not null
     * @return {@code " (did you mean 'x'?)"}, or the empty string when nothing is close
     */
    public static String didYouMean(String given, Collection<String> known) {
        return closest(given, known).map(s -> " (did you mean '" + s + "'?)").orElse("");
    }

    /**
     * @param a one string
     * @param b another
     * @return the optimal-string-alignment distance between them
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

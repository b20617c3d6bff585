package dev.postilion.text;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The one "did you mean": the valid word nearest to a misspelt one, for every surface (profile
 * keys, script verbs and options, command-line commands and options).
 */
public final class Spelling {

    private Spelling() {
    }

    /**
     * The candidate with the smallest edit distance to {@code word}, ignoring case, when that
     * distance is small for the word's length: at most 1 up to three letters, 2 up to seven,
     * 3 from eight. Of equally near candidates, the first wins.
     */
    public static Optional<String> nearest(String word, Collection<String> candidates) {
        int allowed = word.length() <= 3 ? 1 : word.length() < 8 ? 2 : 3;
        String w = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(w, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** {@code " (did you mean 'x'?)"}, or an empty string when nothing is near. */
    public static String didYouMean(String word, Collection<String> candidates) {
        return nearest(word, candidates).map(w -> " (did you mean '" + w + "'?)").orElse("");
    }

    /**
     * Levenshtein distance in which swapping two neighbouring letters also costs one (optimal
     * string alignment), so {@code hots} is one edit from {@code host} and {@code mial} from
     * {@code mail}.
     */
    public static int distance(String a, String b) {
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

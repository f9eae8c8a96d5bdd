package org.upcert.harness.faults.profile;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** The closest allowed word to a misspelt one (Levenshtein distance), for "did you mean 'X'?". */
final class DidYouMean {

    private DidYouMean() {
    }

    /**
     * The candidate closest to {@code found}, if it is close enough to be a likely typo: at most
     * a third of the longer word's length in edits (at least 1, at most 3). Ties go to the
     * earlier candidate, so the answer does not depend on anything but the candidates' order.
     */
    static Optional<String> suggest(String found, Collection<String> candidates) {
        String needle = found.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(needle, candidate.toLowerCase(Locale.ROOT));
            int allowed = Math.max(1, Math.min(3, Math.max(needle.length(), candidate.length()) / 3));
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** "; did you mean 'X'?" or the empty string. */
    static String hint(String found, Collection<String> candidates) {
        return suggest(found, candidates).map(s -> "; did you mean '" + s + "'?").orElse("");
    }

    /** Levenshtein distance (insertions, deletions, substitutions), two rows of memory. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}

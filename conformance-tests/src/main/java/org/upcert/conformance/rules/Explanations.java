package org.upcert.conformance.rules;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What each rule checks, where it comes from and the usual mistakes that break it, read from
 * {@code upcert/rules/explanations.txt} (kept beside the checkers, so the words and the code change
 * together; ExplanationsTest keeps one entry per catalogue rule).
 */
public final class Explanations {
    private static final String RESOURCE = "/upcert/rules/explanations.txt";
    private static TreeMap<String, Explanation> loaded;

    private Explanations() {
    }

    /**
     * One rule's explanation.
     *
     * @param id the rule id
     * @param checks what the checker judges, in words
     * @param exercised what makes the rule exercised
     * @param source where the rule comes from
     * @param mistakes the usual mistakes that break it
     */
    public record Explanation(String id, String checks, String exercised, String source, List<String> mistakes) {
    }

    public static Optional<Explanation> of(String id) {
        return Optional.ofNullable(all().get(id));
    }

    public static synchronized TreeMap<String, Explanation> all() {
        if (loaded == null) {
            loaded = parse();
        }
        return loaded;
    }

    private static TreeMap<String, Explanation> parse() {
        TreeMap<String, Explanation> out = new TreeMap<>();
        try (InputStream in = Explanations.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from this build");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String id = null;
            TreeMap<String, String> fields = new TreeMap<>();
            List<String> mistakes = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (line.startsWith("== ")) {
                    if (id != null) {
                        out.put(id, make(id, fields, mistakes));
                    }
                    id = line.substring(3).trim();
                    fields = new TreeMap<>();
                    mistakes = new ArrayList<>();
                } else if (line.startsWith("- ")) {
                    mistakes.add(line.substring(2).trim());
                } else if (line.startsWith(" ") && !fields.isEmpty()) {
                    String last = fields.lastKey();
                    fields.put(last, fields.get(last) + " " + line.trim());
                } else {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                    }
                }
            }
            if (id != null) {
                out.put(id, make(id, fields, mistakes));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Explanation make(String id, TreeMap<String, String> fields, List<String> mistakes) {
        return new Explanation(id, fields.getOrDefault("checks", ""), fields.getOrDefault("exercised", ""),
                fields.getOrDefault("source", ""), List.copyOf(mistakes));
    }
}

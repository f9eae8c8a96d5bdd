package org.upcert.harness.faults.profile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The standard profiles shipped in the {@code fault-profiles} jar: {@code
 * upcert/profiles/NAME.yaml}, listed in {@code upcert/profiles/catalogue.txt} (one name a line,
 * {@code #} comments) because a class path cannot be listed reliably inside a jar.
 */
public final class ProfileCatalogue {
    public static final String DIRECTORY = "upcert/profiles/";
    public static final String INDEX = DIRECTORY + "catalogue.txt";

    private ProfileCatalogue() {
    }

    /** The standard profiles' names, in catalogue order. */
    public static List<String> names() {
        String index = resource(INDEX).orElseThrow(() -> new IllegalStateException(
                INDEX + " is not on the classpath (the fault-profiles jar)"));
        List<String> names = new ArrayList<>();
        for (String line : index.split("\n")) {
            String name = line.replaceFirst("#.*", "").strip();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    /** The YAML text of the standard profile {@code name}. */
    public static Optional<String> text(String name) {
        if (!names().contains(name)) {
            return Optional.empty();
        }
        return resource(DIRECTORY + name + ".yaml");
    }

    /** The standard profile {@code name}, parsed. */
    public static Profile load(String name) throws ProfileException {
        String text = text(name).orElseThrow(() -> unknown(name));
        return ProfileParser.parse(DIRECTORY + name + ".yaml", name, text);
    }

    /**
     * A profile named on a command line: {@code explore:N} (the profile exploration draws from seed
     * N, {@link SwarmProfiles}), an existing file, else a standard profile's name, else
     * (when it looks like a path) a missing file. Anything else is an unknown name, with a
     * "did you mean".
     */
    public static Profile resolve(String nameOrFile) throws ProfileException {
        if (SwarmProfiles.named(nameOrFile)) {
            return SwarmProfiles.resolve(nameOrFile); // explore:N, drawn from seed N (upcert explore)
        }
        Path path = Path.of(nameOrFile);
        if (Files.isRegularFile(path)) {
            return ProfileParser.parseFile(path);
        }
        if (names().contains(nameOrFile)) {
            return load(nameOrFile);
        }
        if (nameOrFile.contains("/") || nameOrFile.contains("\\") || nameOrFile.matches(".*\\.ya?ml$")) {
            return ProfileParser.parseFile(path);
        }
        throw unknown(nameOrFile);
    }

    /**
     * What {@link #resolve} reads, with the bytes it was read from: a certificate names each
     * profile by the SHA-256 of its source (a file's bytes, a standard profile's YAML, the YAML
     * exploration drew), so that one certification is made from one version of each.
     *
     * @param profile the profile, parsed
     * @param sha256 the SHA-256 of the source bytes, lowercase hex
     */
    public record Read(Profile profile, String sha256) {
    }

    /** Resolves {@code nameOrFile} as {@link #resolve} does, reading its source once and hashing those bytes. */
    public static Read read(String nameOrFile) throws ProfileException {
        if (SwarmProfiles.named(nameOrFile)) {
            Profile profile = SwarmProfiles.resolve(nameOrFile);
            return new Read(profile, sha256(SwarmProfiles.yaml(Long.parseLong(nameOrFile.substring(SwarmProfiles.PREFIX.length())))
                    .getBytes(StandardCharsets.UTF_8)));
        }
        Path path = Path.of(nameOrFile);
        if (Files.isRegularFile(path)) {
            byte[] bytes = ProfileParser.readFile(path);
            return new Read(ProfileParser.parseBytes(path, bytes), sha256(bytes));
        }
        if (names().contains(nameOrFile)) {
            String text = text(nameOrFile).orElseThrow(() -> unknown(nameOrFile));
            return new Read(ProfileParser.parse(DIRECTORY + nameOrFile + ".yaml", nameOrFile, text),
                    sha256(text.getBytes(StandardCharsets.UTF_8)));
        }
        return new Read(resolve(nameOrFile), null); // throws: a missing file or an unknown name
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static ProfileException unknown(String name) {
        List<String> names = names();
        return ProfileException.of(Location.whole(name), "found no standard profile and no file of this name, expected one of: "
                + String.join(", ", names) + DidYouMean.hint(name, names));
    }

    private static Optional<String> resource(String name) {
        try (InputStream in = ProfileCatalogue.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                return Optional.empty();
            }
            StringBuilder text = new StringBuilder();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                char[] buffer = new char[8192];
                int n;
                while ((n = reader.read(buffer)) > 0) {
                    text.append(buffer, 0, n);
                }
            }
            return Optional.of(text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

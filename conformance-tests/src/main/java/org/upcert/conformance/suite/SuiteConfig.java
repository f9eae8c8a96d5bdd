package org.upcert.conformance.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.cloud.CloudDialects;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.faults.profile.ProfileException;
import org.upcert.harness.host.CommandLine;
import org.upcert.harness.host.ExtensionJarCheck;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.run.Hosting;

/**
 * What the suite certifies and how: read from JUnit configuration parameters (which fall back to
 * JVM system properties, so {@code mvn verify -Dupcert.seeds=5} works in an author's build).
 *
 * <table>
 * <caption>configuration parameters</caption>
 * <tr><td>{@code upcert.extension}</td><td>path of the extension jar (default: the bundled sample)</td></tr>
 * <tr><td>{@code upcert.extension.class}</td><td>or: an {@code UploadExtension} class on the test class path</td></tr>
 * <tr><td>{@code upcert.profiles}</td><td>{@code all} (default) or names/files, comma-separated</td></tr>
 * <tr><td>{@code upcert.seeds}</td><td>{@code N} for seeds 1..N (default 3), or a list {@code 4,9,17}</td></tr>
 * <tr><td>{@code upcert.seed}</td><td>one seed (wins over {@code upcert.seeds}): how a FAIL is reproduced</td></tr>
 * <tr><td>{@code upcert.cloud}</td><td>cloud dialect (default {@code generic-put})</td></tr>
 * <tr><td>{@code upcert.transport}</td><td>{@code direct} (default; the same trace, no sockets) or {@code loopback}</td></tr>
 * <tr><td>{@code upcert.rules}</td><td>{@code all} (default) or rule ids / groups, comma-separated</td></tr>
 * <tr><td>{@code upcert.require-exercised}</td><td>a MUST rule no run exercised fails its summary test (default true)</td></tr>
 * <tr><td>{@code upcert.reports}</td><td>a directory for FAIL traces and certification files (default: none)</td></tr>
 * <tr><td>{@code upcert.explore}</td><td>exploration runs added to the certification: profiles drawn from seeds
 *     1..N ({@code explore:N}, docs/exploration.md); default {@value #DEFAULT_EXPLORE} when every standard profile
 *     runs, 0 when {@code upcert.profiles} names some</td></tr>
 * <tr><td>{@code upcert.corpus}</td><td>a folder of pinned profiles (what {@code upcert explore} and {@code upcert
 *     shrink} write): every {@code *.yaml} in it is a required profile, run with its own seed</td></tr>
 * <tr><td>{@code upcert.scope}</td><td>a scope file (docs/scope.md) declaring what the extension uploads; default: the
 *     jar's own {@code META-INF/upcert/scope.yaml}, else everything</td></tr>
 * <tr><td>{@code upcert.upgrade-to}</td><td>the app's next build, which {@code app.upgrade} faults swap in (the
 *     {@code upgrades} profile): a jar, or a command with {@code upcert.extension.cmd}; default: the same artifact
 *     relaunched</td></tr>
 * <tr><td>{@code upcert.route}</td><td>how the certification was started, so that a FAIL's reproduce line works there:
 *     {@code cli} (default here: {@code ./upcert certify …}), {@code maven-plugin} ({@code mvn verify -Dupcert.…}) or
 *     {@code junit} / {@code junit:SUITE-CLASS} (an author's {@code @Suite}: {@code mvn test -Dtest=SUITE -Dupcert.…});
 *     the suite's JUnit route sets it by itself ({@link SuiteConfigResolver})</td></tr>
 * </table>
 *
 * @param extension how the extension is named: {@code sample}, a jar path, or {@code class:NAME}
 * @param profiles profile names or files, in the order given
 * @param seeds seeds, in the order given
 * @param cloud the cloud dialect
 * @param transport {@code direct} or {@code loopback}
 * @param rules the rules to judge, in catalogue order
 * @param requireExercised whether a MUST rule no run exercised fails its summary test
 * @param reports where FAIL traces and certification files go; null for nowhere
 * @param isolation where the extension's code runs ({@code upcert.isolation}: auto, worker,
 *     in-process, container; see {@link Hosting})
 * @param scopeFile a scope file that declares what the extension uploads (wins over the jar's own); null for none
 * @param assumptions what the runs assume beyond what PhotoKit documents ({@code upcert.assume},
 *     comma-separated: {@code http-status}); empty by default, stated in the certificate
 * @param explore how many exploration runs follow the profiles' (profiles drawn from seeds 1..explore)
 * @param corpus the folder whose pinned profiles were added to {@code profiles}; null for none
 * @param hangAfterMs real time a call may go without an API call before it is declared hung
 *     ({@code upcert.hang-after}, a duration); 0 for the default
 * @param route how the certification was started ({@code upcert.route}): {@link #CLI}, {@link #MAVEN_PLUGIN},
 *     {@link #JUNIT} or {@code junit:SUITE-CLASS}; it decides only the shape of the reproduce lines
 * @param upgradeTo the app's next build that {@code app.upgrade} faults swap in ({@code upcert.upgrade-to},
 *     {@code --upgrade-to}): a jar path, or a command line when the extension is a command; null for
 *     the same artifact relaunched
 * @param snapshot the profiles as this configuration read them, each once ({@link ProfileSnapshot}): every
 *     cell runs that version and the certificate names it; null for a new, empty one
 * @param certificationState what the certification this configuration belongs to owns (its runs, verdicts,
 *     timings, Allure lifecycle: {@link CertificationState}); null for the JVM's own
 */
public record SuiteConfig(String extension, List<String> profiles, List<Long> seeds, String cloud, String transport,
        List<Rule> rules, boolean requireExercised, Path reports, String isolation, Path scopeFile,
        java.util.SortedSet<String> assumptions, int explore, Path corpus, long hangAfterMs, String route, String upgradeTo,
        ProfileSnapshot snapshot, CertificationState certificationState) {

    /** Started by {@code ./upcert certify} (or explore, shrink): reproduce with {@code ./upcert certify …}. */
    public static final String CLI = "cli";
    /** Started by the Maven plugin's {@code upcert:certify}: reproduce with {@code mvn verify -Dupcert.…}. */
    public static final String MAVEN_PLUGIN = "maven-plugin";
    /** Started by an author's JUnit {@code @Suite} ({@code junit:SUITE-CLASS} when the suite is known): {@code mvn test …}. */
    public static final String JUNIT = "junit";
    public static final String DEFAULT_CLOUD = "generic-put";
    public static final int DEFAULT_SEEDS = 3;
    /** Exploration runs of a certification over every standard profile (docs/exploration.md). */
    public static final int DEFAULT_EXPLORE = 6;
    private static Path sampleJar;

    public SuiteConfig {
        profiles = List.copyOf(profiles);
        seeds = List.copyOf(seeds);
        rules = List.copyOf(rules);
        assumptions = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(assumptions));
        if (snapshot == null) {
            snapshot = new ProfileSnapshot();
        }
        if (certificationState == null) {
            certificationState = CertificationState.jvm();
        }
        if (hangAfterMs < 0) {
            throw new IllegalArgumentException("hangAfterMs must be >= 0, was " + hangAfterMs);
        }
        if (explore < 0) {
            throw new IllegalArgumentException("explore must be >= 0, was " + explore);
        }
        if (!route.equals(CLI) && !route.equals(MAVEN_PLUGIN) && !route.equals(JUNIT) && !route.startsWith(JUNIT + ":")) {
            throw new SuiteConfigException("upcert.route must be cli, maven-plugin or junit[:SUITE-CLASS], not '" + route + "'");
        }
    }

    /** A configuration whose profiles are read at their first ask. */
    public SuiteConfig(String extension, List<String> profiles, List<Long> seeds, String cloud, String transport,
            List<Rule> rules, boolean requireExercised, Path reports, String isolation, Path scopeFile,
            java.util.SortedSet<String> assumptions, int explore, Path corpus, long hangAfterMs, String route, String upgradeTo) {
        this(extension, profiles, seeds, cloud, transport, rules, requireExercised, reports, isolation, scopeFile, assumptions,
                explore, corpus, hangAfterMs, route, upgradeTo, null, null);
    }

    /** A configuration without a next build ({@code app.upgrade} relaunches the same artifact). */
    public SuiteConfig(String extension, List<String> profiles, List<Long> seeds, String cloud, String transport,
            List<Rule> rules, boolean requireExercised, Path reports, String isolation, Path scopeFile,
            java.util.SortedSet<String> assumptions, int explore, Path corpus, long hangAfterMs, String route) {
        this(extension, profiles, seeds, cloud, transport, rules, requireExercised, reports, isolation, scopeFile, assumptions,
                explore, corpus, hangAfterMs, route, null);
    }

    /** A configuration started from the command line. */
    public SuiteConfig(String extension, List<String> profiles, List<Long> seeds, String cloud, String transport,
            List<Rule> rules, boolean requireExercised, Path reports, String isolation, Path scopeFile,
            java.util.SortedSet<String> assumptions, int explore, Path corpus, long hangAfterMs) {
        this(extension, profiles, seeds, cloud, transport, rules, requireExercised, reports, isolation, scopeFile, assumptions,
                explore, corpus, hangAfterMs, CLI);
    }

    /** A configuration without exploration runs and without a corpus. */
    public SuiteConfig(String extension, List<String> profiles, List<Long> seeds, String cloud, String transport,
            List<Rule> rules, boolean requireExercised, Path reports, String isolation, Path scopeFile,
            java.util.SortedSet<String> assumptions) {
        this(extension, profiles, seeds, cloud, transport, rules, requireExercised, reports, isolation, scopeFile, assumptions, 0, null, 0);
    }

    /** A configuration that assumes nothing beyond what PhotoKit documents. */
    public SuiteConfig(String extension, List<String> profiles, List<Long> seeds, String cloud, String transport,
            List<Rule> rules, boolean requireExercised, Path reports, String isolation, Path scopeFile) {
        this(extension, profiles, seeds, cloud, transport, rules, requireExercised, reports, isolation, scopeFile,
                new java.util.TreeSet<>());
    }

    /** Reads the configuration; throws {@link SuiteConfigException} saying what is wrong. */
    public static SuiteConfig from(Function<String, Optional<String>> parameters) {
        Optional<String> jar = parameters.apply("upcert.extension").filter(s -> !s.isBlank());
        Optional<String> type = parameters.apply("upcert.extension.class").filter(s -> !s.isBlank());
        Optional<String> command = parameters.apply("upcert.extension.cmd").filter(s -> !s.isBlank());
        if ((jar.isPresent() ? 1 : 0) + (type.isPresent() ? 1 : 0) + (command.isPresent() ? 1 : 0) > 1) {
            throw new SuiteConfigException("give one of upcert.extension (a jar), upcert.extension.class (a class) "
                    + "or upcert.extension.cmd (a command)");
        }
        String isolation = parameters.apply("upcert.isolation").filter(s -> !s.isBlank()).orElse(Hosting.AUTO).trim();
        if (!Hosting.NAMES.contains(isolation)) {
            throw new SuiteConfigException("upcert.isolation must be one of " + Hosting.NAMES + ", not '" + isolation + "'");
        }
        java.util.TreeSet<String> assumptions = new java.util.TreeSet<>();
        for (String name : parameters.apply("upcert.assume").orElse("").split(",")) {
            if (!name.isBlank()) {
                try {
                    assumptions.add(org.upcert.harness.run.RunOptions.requireKnownAssumption(name.trim()));
                } catch (IllegalArgumentException e) {
                    throw new SuiteConfigException("upcert.assume: " + e.getMessage());
                }
            }
        }
        String extension = "sample";
        if (command.isPresent()) {
            try {
                CommandLine.split(command.get());
            } catch (IllegalArgumentException e) {
                throw new SuiteConfigException(e.getMessage());
            }
            extension = "cmd:" + command.get().trim();
        } else if (jar.isPresent()) {
            Path path = Path.of(jar.get());
            if (!Files.isRegularFile(path)) {
                throw new SuiteConfigException("extension jar not found: " + path.toAbsolutePath());
            }
            // Every run loads the jar: a jar that cannot be hosted is bad input now, not a harness
            // fault in each run later (the check runs none of its code).
            ExtensionJarCheck check = ExtensionJarCheck.of(path);
            if (!check.ok()) {
                throw new SuiteConfigException(check.summary());
            }
            try {
                org.upcert.harness.scope.ScopeFile.ofJar(path);
            } catch (ProfileException e) {
                throw new SuiteConfigException(e.getMessage() + "\nthe extension's declared scope is not valid (docs/scope.md)");
            }
            extension = path.toString();
        } else if (type.isPresent()) {
            extension = "class:" + type.get().trim();
            loadType(type.get().trim());
        }
        String profileNames = parameters.apply("upcert.profiles").filter(s -> !s.isBlank()).orElse("all");
        Path corpus = parameters.apply("upcert.corpus").filter(s -> !s.isBlank()).map(s -> Path.of(s.trim())).orElse(null);
        // Every profile is read once, now: certify's test plan is handed the snapshot its command read.
        ProfileSnapshot snapshot = parameters.apply(ProfileSnapshot.PARAMETER).map(ProfileSnapshot::shared).orElse(null);
        if (snapshot == null) {
            snapshot = new ProfileSnapshot();
        }
        List<String> profiles = new ArrayList<>(profiles(profileNames, snapshot));
        for (String file : corpusFiles(corpus, snapshot)) {
            if (!profiles.contains(file)) {
                profiles.add(file); // a file named by --profiles too runs once
            }
        }
        int explore = explore(parameters.apply("upcert.explore").filter(s -> !s.isBlank()).orElse(null),
                split(profileNames).equals(List.of("all")));
        return new SuiteConfig(extension,
                profiles,
                parameters.apply("upcert.seed").filter(v -> !v.isBlank()).map(v -> seeds(v.trim() + ","))
                        .orElseGet(() -> seeds(parameters.apply("upcert.seeds").orElse(Integer.toString(DEFAULT_SEEDS)))),
                cloud(parameters.apply("upcert.cloud").orElse(DEFAULT_CLOUD)),
                transport(parameters.apply("upcert.transport").orElse("direct")),
                rules(parameters.apply("upcert.rules").orElse("all")),
                !parameters.apply("upcert.require-exercised").orElse("true").trim().equalsIgnoreCase("false"),
                parameters.apply("upcert.reports").filter(s -> !s.isBlank()).map(Path::of).orElse(null), isolation,
                scopeFile(parameters.apply("upcert.scope").filter(s -> !s.isBlank()).map(String::trim).orElse(null)),
                assumptions, explore, corpus, hangAfter(parameters.apply("upcert.hang-after").filter(s -> !s.isBlank()).orElse(null)),
                parameters.apply("upcert.route").filter(s -> !s.isBlank()).map(String::trim).orElse(CLI),
                upgradeTo(parameters.apply("upcert.upgrade-to").filter(s -> !s.isBlank()).map(String::trim).orElse(null),
                        command.isPresent()), snapshot,
                parameters.apply(CertificationState.PARAMETER).map(CertificationState::shared).orElse(null));
    }

    /** {@code upcert.upgrade-to}, checked now: a command that splits, or a jar that can be hosted. */
    private static String upgradeTo(String value, boolean command) {
        if (value == null) {
            return null;
        }
        if (command) {
            try {
                CommandLine.split(value);
            } catch (IllegalArgumentException e) {
                throw new SuiteConfigException("upcert.upgrade-to: " + e.getMessage());
            }
            return value;
        }
        Path path = Path.of(value);
        if (!Files.isRegularFile(path)) {
            throw new SuiteConfigException("upcert.upgrade-to: extension jar not found: " + path.toAbsolutePath());
        }
        ExtensionJarCheck check = ExtensionJarCheck.of(path);
        if (!check.ok()) {
            throw new SuiteConfigException("upcert.upgrade-to: " + check.summary());
        }
        return path.toString();
    }

    /** A fresh source of the app's next build ({@link #upgradeTo()}), or null for the same artifact relaunched. */
    public ExtensionSource upgradeSource() {
        if (upgradeTo == null) {
            return null;
        }
        return extension.startsWith("cmd:") ? ExtensionSource.command(CommandLine.split(upgradeTo), Path.of("").toAbsolutePath())
                : ExtensionSource.jar(Path.of(upgradeTo));
    }

    private static long hangAfter(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return org.upcert.harness.cli.HostingOptions.hangAfterMillis(text);
        } catch (IllegalArgumentException e) {
            throw new SuiteConfigException("upcert.hang-after: " + e.getMessage());
        }
    }

    /** {@code upcert.explore}: a count from 0 to 1000; by default {@link #DEFAULT_EXPLORE} for a whole certification, else 0. */
    static int explore(String value, boolean everyStandardProfile) {
        if (value == null) {
            return everyStandardProfile ? DEFAULT_EXPLORE : 0;
        }
        try {
            int count = Integer.parseInt(value.trim());
            if (count < 0 || count > 1_000) {
                throw new SuiteConfigException("upcert.explore (--explore) must be 0..1000 exploration runs, not " + count);
            }
            return count;
        } catch (NumberFormatException e) {
            throw new SuiteConfigException("upcert.explore (--explore) must be a number of exploration runs (0 turns them off), not '"
                    + value.trim() + "'");
        }
    }

    /**
     * The pinned profiles of a corpus folder ({@code *.yaml}, sorted by name), each read now: a
     * malformed one is bad input before any run. A folder that does not exist is bad input too.
     */
    static List<String> corpusFiles(Path corpus) {
        return corpusFiles(corpus, new ProfileSnapshot());
    }

    private static List<String> corpusFiles(Path corpus, ProfileSnapshot snapshot) {
        if (corpus == null) {
            return List.of();
        }
        if (!Files.isDirectory(corpus)) {
            throw new SuiteConfigException("corpus folder not found: " + corpus.toAbsolutePath()
                    + " (upcert explore writes its findings there, docs/exploration.md)");
        }
        List<String> files = new ArrayList<>();
        try (java.util.stream.Stream<Path> list = Files.list(corpus)) {
            for (Path file : list.filter(f -> f.getFileName().toString().matches(".*\\.ya?ml$")).sorted().toList()) {
                try {
                    snapshot.profile(file.toString());
                } catch (ProfileException e) {
                    throw new SuiteConfigException(e.getMessage());
                }
                files.add(file.toString());
            }
        } catch (java.io.IOException e) {
            throw new SuiteConfigException("cannot read the corpus folder " + corpus + ": " + e.getMessage());
        }
        return files;
    }

    /** The scope file, read now: a malformed one is bad input before any run (file:line:column). */
    private static Path scopeFile(String value) {
        if (value == null) {
            return null;
        }
        Path file = Path.of(value);
        try {
            org.upcert.harness.scope.ScopeFile.read(file);
        } catch (ProfileException e) {
            throw new SuiteConfigException(e.getMessage() + "\nthe declared scope is not valid (docs/scope.md)");
        }
        return file;
    }

    /** The same configuration with another reports directory. */
    public SuiteConfig withReports(Path directory) {
        return new SuiteConfig(extension, profiles, seeds, cloud, transport, rules, requireExercised, directory, isolation,
                scopeFile, assumptions, explore, corpus, hangAfterMs, route, upgradeTo, snapshot, certificationState);
    }

    /** The same configuration with {@code count} exploration runs. */
    public SuiteConfig withExplore(int count) {
        return new SuiteConfig(extension, profiles, seeds, cloud, transport, rules, requireExercised, reports, isolation,
                scopeFile, assumptions, count, corpus, hangAfterMs, route, upgradeTo, snapshot, certificationState);
    }

    /**
     * Every run of this configuration, profile-major: each profile with every seed (a profile that
     * names its own seed, as a shrunk case does, with that seed only), then the exploration runs:
     * {@code explore:N} with seed N for N = 1..explore.
     */
    public List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (String profile : profiles) {
            Optional<Long> pinned = pinnedSeed(profile, snapshot);
            if (pinned.isPresent()) {
                cells.add(new Cell(profile, pinned.get(), cloud));
                continue;
            }
            for (long seed : seeds) {
                cells.add(new Cell(profile, seed, cloud));
            }
        }
        cells.addAll(explorationCells());
        return cells;
    }

    /** The exploration runs alone: {@code explore:N} with seed N for N = 1..explore. */
    public List<Cell> explorationCells() {
        List<Cell> cells = new ArrayList<>();
        for (long seed = 1; seed <= explore; seed++) {
            cells.add(new Cell(org.upcert.harness.faults.profile.SwarmProfiles.name(seed), seed, cloud));
        }
        return cells;
    }

    /** The fault phases the exploration runs drew, added up (virtual ms; what the certificate says they covered). */
    public long explorationFaultPhaseMs() {
        long total = 0;
        for (Cell cell : explorationCells()) {
            try {
                total += snapshot.profile(cell.profile()).phases().faultPhaseMs();
            } catch (ProfileException e) {
                // an impossible draw is a skipped run (a harness fault): it covered nothing
            }
        }
        return total;
    }

    /**
     * One line on the exploration runs for reports: {@code "6 drawn profiles (explore:1..explore:6),
     * 14h20m of fault phases; …"}, or {@code "none"}.
     */
    public String describeExploration() {
        if (explore == 0) {
            return "none (--explore 0)";
        }
        return explore + " drawn profile" + (explore == 1 ? "" : "s") + " (explore:1" + (explore == 1 ? "" : "..explore:" + explore)
                + "), " + org.upcert.harness.faults.profile.Durations.format(explorationFaultPhaseMs()) + " of fault phases in all;"
                + " their FAIL blocks certification, a rule only they exercised stays NOT_EXERCISED (docs/exploration.md)";
    }

    /** Runs of the profiles alone (without the exploration runs). */
    public int profileRuns() {
        return cells().size() - explore;
    }

    /** Whether a cell is an exploration run (a drawn profile, {@code explore:N}). */
    public static boolean exploration(Cell cell) {
        return org.upcert.harness.faults.profile.SwarmProfiles.named(cell.profile());
    }

    /** The seed a profile names for itself ({@code seed:}), if any; a profile that cannot be read names none. */
    static Optional<Long> pinnedSeed(String profile, ProfileSnapshot snapshot) {
        try {
            return Optional.ofNullable(snapshot.profile(profile).seed());
        } catch (ProfileException e) {
            return Optional.empty();
        }
    }

    /**
     * The profile {@code nameOrFile} as this configuration read it: the same version for every cell,
     * whatever happens to its file meanwhile ({@link ProfileSnapshot}).
     */
    public org.upcert.harness.faults.profile.Profile profile(String nameOrFile) throws ProfileException {
        return snapshot.profile(nameOrFile);
    }

    /**
     * The SHA-256 of each profile's source as this configuration read it, by name as given, in
     * order ({@code "unreadable"} for one that could not be read): what the certificate was made from.
     */
    public java.util.LinkedHashMap<String, String> profileSha256s() {
        java.util.LinkedHashMap<String, String> shas = new java.util.LinkedHashMap<>();
        for (String profile : profiles) {
            shas.put(profile, snapshot.sha256OrUnreadable(profile));
        }
        return shas;
    }

    /** A fresh source for one run (sources remember the last class loader they made). */
    public ExtensionSource source() {
        ExtensionSource source;
        if (extension.equals("sample")) {
            source = ExtensionSource.jar(sampleJar());
        } else if (extension.startsWith("class:")) {
            source = ExtensionSource.type(loadType(extension.substring("class:".length())));
        } else if (extension.startsWith("cmd:")) {
            source = ExtensionSource.command(CommandLine.split(extension.substring("cmd:".length())), Path.of("").toAbsolutePath());
        } else {
            source = ExtensionSource.jar(Path.of(extension));
        }
        if (scopeFile != null) {
            try {
                source.withDeclaredScope(org.upcert.harness.scope.ScopeFile.read(scopeFile));
            } catch (ProfileException e) {
                throw new SuiteConfigException(e.getMessage());
            }
        }
        return source;
    }

    /** What the extension declares it uploads (its jar's scope file, or {@code upcert.scope}'s; everything without one). */
    public org.upcert.harness.scope.DeclaredScope declaredScope() {
        return source().declaredScope();
    }

    /** The isolation this configuration's runs use ({@code auto} resolved for its extension). */
    public String resolvedIsolation() {
        return Hosting.resolve(source(), isolation);
    }

    /** The command-line options that choose the extension and its isolation, as {@code certify} takes them. */
    public String extensionOptions() {
        StringBuilder options = new StringBuilder();
        if (extension.startsWith("class:")) {
            options.append(" --extension-class ").append(shellWord(extension.substring("class:".length())));
        } else if (extension.startsWith("cmd:")) {
            options.append(" --extension-cmd '").append(extension.substring("cmd:".length()).replace("'", "'\\''")).append("'");
        } else if (!extension.equals("sample")) {
            options.append(" --extension ").append(shellWord(extension));
        }
        if (!isolation.equals(Hosting.AUTO)) {
            options.append(" --isolation ").append(isolation);
        }
        if (scopeFile != null) {
            options.append(" --scope ").append(shellWord(scopeFile.toString()));
        }
        if (!assumptions.isEmpty()) {
            options.append(" --assume ").append(String.join(",", assumptions));
        }
        if (hangAfterMs > 0) {
            options.append(" --hang-after ").append(hangAfterMs).append("ms");
        }
        if (upgradeTo != null) {
            options.append(extension.startsWith("cmd:") ? " --upgrade-to '" + upgradeTo.replace("'", "'\\''") + "'"
                    : " --upgrade-to " + shellWord(upgradeTo));
        }
        return options.toString();
    }

    /** What a person would call the extension: "the bundled sample", a jar, a class. */
    public String describeExtension() {
        return extension.equals("sample") ? "the bundled sample extension" : extension;
    }

    /**
     * One shell line that judges one rule on one run again, in the route this certification was
     * started from: {@code ./upcert certify … --profiles P --seed S --rules R} on the command line;
     * {@code mvn verify -Dupcert.profiles=P -Dupcert.seed=S -Dupcert.rules=R} with the Maven plugin
     * (its user properties win over the pom); {@code mvn test -Dtest=SUITE -Dupcert.…} in an author's
     * JUnit {@code @Suite} (there a {@code -Dupcert.…} system property wins over the suite's
     * annotations). An extension named by class on the command line runs from a class path, which
     * the line spells out ({@code java -cp … certify --extension-class …}).
     */
    public String reproduce(Cell cell, String ruleId) {
        java.util.LinkedHashMap<String, String> options = new java.util.LinkedHashMap<>();
        options.put("profiles", cell.profile());
        options.put("seed", Long.toString(cell.seed()));
        if (!cell.cloud().equals(DEFAULT_CLOUD)) {
            options.put("cloud", cell.cloud());
        }
        options.put("rules", ruleId);
        return command(options);
    }

    /**
     * {@code ./upcert certify} with the options that choose this extension; for an extension named by
     * class, the {@code java -cp …} line whose class path holds it ({@code ./upcert} sees only its own
     * jar, so a replay line of a style explored from the test classes did not run).
     */
    public String certifyPrefix() {
        String start = extension.startsWith("class:")
                ? "java -cp " + shellWord(System.getProperty("java.class.path", "")) + " org.upcert.conformance.cli.Main certify"
                : "./upcert certify";
        return start + extensionOptions();
    }

    /** The command that starts this route with {@code options} (name → value, as certify's options). */
    private String command(java.util.Map<String, String> options) {
        StringBuilder line = new StringBuilder();
        if (route.equals(MAVEN_PLUGIN) || route.startsWith(JUNIT)) {
            // the extension is the build's own: its pom (or suite class) names it
            line.append(route.equals(MAVEN_PLUGIN) ? "mvn verify" : "mvn test");
            if (route.startsWith(JUNIT + ":")) {
                line.append(" -Dtest=").append(route.substring(route.lastIndexOf('.') + 1));
            }
            options.forEach((name, value) -> line.append(" -Dupcert.").append(name).append('=').append(shellWord(value)));
            return line.toString();
        }
        line.append(certifyPrefix());
        options.forEach((name, value) -> line.append(" --").append(name).append(' ').append(shellWord(value)));
        return line.toString();
    }

    /** A word as a POSIX shell reads it back: quoted only when it needs to be. */
    private static String shellWord(String word) {
        return word.matches("[A-Za-z0-9_./:,=@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /** One shell line that makes this whole certification again (in the route it was started from). */
    /** Whether the cloud stub repeats body-borne values in headers ({@code --assume body-in-headers}, lenient) or not (strict). */
    public boolean bodyInHeaders() {
        return assumptions.contains(org.upcert.harness.run.RunOptions.ASSUME_BODY_IN_HEADERS);
    }

    /** {@code strict} or {@code lenient}: the cloud stub's header mode (docs/cloud.md). */
    public String stubHeaders() {
        return bodyInHeaders() ? "lenient" : "strict";
    }

    /**
     * Why these runs judge only the shape of the extension's requests to the cloud (google-photos
     * with the strict stub: nothing can be committed), or empty: the whole protocol is judged.
     */
    public java.util.Optional<String> protocolShapeOnly() {
        return org.upcert.harness.cloud.CloudDialects.protocolShapeOnly(cloud, bodyInHeaders());
    }

    public String certifyCommand() {
        java.util.LinkedHashMap<String, String> options = new java.util.LinkedHashMap<>();
        List<String> named = new ArrayList<>(profiles);
        List<String> fromCorpus = corpus == null ? List.of() : corpusFiles(corpus);
        if (corpus != null && named.size() >= fromCorpus.size()
                && named.subList(named.size() - fromCorpus.size(), named.size()).equals(fromCorpus)) {
            named = named.subList(0, named.size() - fromCorpus.size());
        } else {
            fromCorpus = List.of();
        }
        boolean everyStandard = named.equals(org.upcert.harness.faults.profile.ProfileCatalogue.names());
        if (!everyStandard) {
            options.put("profiles", String.join(",", named));
        }
        if (!fromCorpus.isEmpty()) {
            options.put("corpus", corpus.toString());
        }
        if (explore != (everyStandard ? DEFAULT_EXPLORE : 0)) {
            options.put("explore", Integer.toString(explore));
        }
        List<Long> standard = seeds(Integer.toString(DEFAULT_SEEDS));
        if (!seeds.equals(standard)) {
            options.put("seeds", seeds.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))
                    + (seeds.size() == 1 ? "," : ""));
        }
        if (!cloud.equals(DEFAULT_CLOUD)) {
            options.put("cloud", cloud);
        }
        if (rules.size() != RuleCatalogue.rules().size()) {
            options.put("rules", rules.stream().map(Rule::id).collect(java.util.stream.Collectors.joining(",")));
        }
        if (!transport.equals("direct")) {
            options.put("transport", transport);
        }
        return command(options);
    }

    /** One shell line that re-runs the cell and writes its trace (for {@code ./upcert trace}). */
    public String rerun(Cell cell) {
        String cloudOption = cell.cloud().equals(DEFAULT_CLOUD) ? "" : " --cloud " + cell.cloud();
        String extensionOption = extension.equals("sample") || extension.startsWith("class:") ? "" : extensionOptions();
        return "./upcert run" + extensionOption + " --profile " + cell.profile() + " --seed " + cell.seed() + cloudOption
                + " --transport " + transport + " --out target/upcert/" + cell.fileName();
    }

    private static synchronized Path sampleJar() {
        if (sampleJar == null) {
            sampleJar = BundledSample.extract().orElseThrow(() -> new SuiteConfigException(
                    "this build bundles no sample extension; name one with upcert.extension or upcert.extension.class"));
        }
        return sampleJar;
    }

    private static Class<? extends UploadExtension> loadType(String name) {
        try {
            Class<?> type = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
            if (!UploadExtension.class.isAssignableFrom(type)) {
                throw new SuiteConfigException(name + " does not implement " + UploadExtension.class.getName());
            }
            if (type.isInterface() || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
                throw new SuiteConfigException(name + " is abstract: nothing can be instantiated");
            }
            try {
                type.getConstructor();
            } catch (NoSuchMethodException e) {
                throw new SuiteConfigException(name + " has no public no-argument constructor");
            }
            return type.asSubclass(UploadExtension.class);
        } catch (ClassNotFoundException e) {
            throw new SuiteConfigException("extension class not found on the class path: " + name);
        }
    }

    static List<String> profiles(String value) {
        return profiles(value, new ProfileSnapshot());
    }

    private static List<String> profiles(String value, ProfileSnapshot snapshot) {
        List<String> names = split(value);
        if (names.isEmpty() || names.equals(List.of("all"))) {
            names = ProfileCatalogue.names();
        }
        for (String name : names) {
            try {
                snapshot.profile(name);
            } catch (ProfileException e) {
                throw new SuiteConfigException(e.getMessage());
            }
        }
        return names;
    }

    /** The most seeds one certification runs per profile: more is a typo (1..100000), not a plan. */
    static final int MOST_SEEDS = 10_000;

    /**
     * The seeds of {@code upcert.seeds} / {@code --seeds}: a count {@code N} (seeds 1..N), or a
     * comma-separated list whose items are seeds or ranges {@code A..B} (as {@code explore --seeds}
     * takes them), in the order given, each seed once.
     */
    static List<Long> seeds(String value) {
        List<String> parts = split(value);
        if (parts.isEmpty()) {
            throw new SuiteConfigException("upcert.seeds is empty: give a count (3), a list (4,9,17) or a range (1..10)");
        }
        try {
            if (parts.size() == 1 && !value.contains(",") && !value.contains("..")) {
                long count = Long.parseLong(parts.get(0));
                if (count < 1 || count > MOST_SEEDS) {
                    throw new SuiteConfigException("seed count must be 1.." + MOST_SEEDS + ", not " + count);
                }
                List<Long> seeds = new ArrayList<>();
                for (long seed = 1; seed <= count; seed++) {
                    seeds.add(seed);
                }
                return seeds;
            }
            LinkedHashSet<Long> seeds = new LinkedHashSet<>();
            for (String part : parts) {
                int dots = part.indexOf("..");
                if (dots < 0) {
                    seeds.add(Long.parseLong(part));
                    continue;
                }
                long from = Long.parseLong(part.substring(0, dots).trim());
                long to = Long.parseLong(part.substring(dots + 2).trim());
                if (to < from) {
                    throw new SuiteConfigException("seed range " + part + " runs backwards: write " + to + ".." + from);
                }
                if (to - from >= MOST_SEEDS) {
                    throw new SuiteConfigException("seed range " + part + " holds more than " + MOST_SEEDS + " seeds");
                }
                for (long seed = from; seed <= to; seed++) {
                    seeds.add(seed);
                }
            }
            if (seeds.size() > MOST_SEEDS) {
                throw new SuiteConfigException("at most " + MOST_SEEDS + " seeds, not " + seeds.size());
            }
            return new ArrayList<>(seeds);
        } catch (NumberFormatException e) {
            throw new SuiteConfigException("seeds must be a count (3), or a comma-separated list of seeds and ranges"
                    + " (4,9,17 or 1..10 or 1..3,40), not '" + value + "'");
        }
    }

    static String cloud(String value) {
        String name = value.trim();
        if (!CloudDialects.names().contains(name)) {
            throw new SuiteConfigException("unknown cloud dialect '" + name + "'; known: " + String.join(", ", CloudDialects.names()));
        }
        return name;
    }

    static String transport(String value) {
        String name = value.trim();
        if (!name.equals("direct") && !name.equals("loopback")) {
            throw new SuiteConfigException("transport must be direct or loopback, not '" + name + "'");
        }
        return name;
    }

    static List<Rule> rules(String value) {
        List<String> parts = split(value);
        if (parts.isEmpty() || parts.equals(List.of("all"))) {
            return RuleCatalogue.rules();
        }
        TreeSet<String> wanted = new TreeSet<>();
        for (String part : parts) {
            String id = part.toUpperCase(Locale.ROOT);
            if (RuleCatalogue.GROUPS.contains(id)) {
                RuleCatalogue.group(id).forEach(r -> wanted.add(r.id()));
            } else if (RuleCatalogue.rule(id).isPresent()) {
                wanted.add(id);
            } else {
                throw new SuiteConfigException("unknown rule or group '" + part + "'; groups: "
                        + String.join(", ", RuleCatalogue.GROUPS) + "; rules like RTY-01");
            }
        }
        return RuleCatalogue.rules().stream().filter(r -> wanted.contains(r.id())).toList();
    }

    private static List<String> split(String value) {
        List<String> parts = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                parts.add(part.trim());
            }
        }
        return parts;
    }
}

package org.upcert.harness.host.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.upcert.api.UploadExtension;
import org.upcert.protocol.worker.WorkerMain;

/**
 * The worker's container image, built locally from nothing pulled: an empty base ({@code FROM
 * scratch}), a Java runtime made by {@code jlink} from the JDK that runs upcert (only the modules
 * a worker needs, with a class-data-sharing archive for a quick start), the shared libraries that
 * runtime needs on this host (found with {@code ldd}, the dynamic loader included), a minimal
 * {@code /etc/passwd}, and the worker's class path under {@value #LIB}.
 *
 * <p>The image is tagged {@code upcert-worker:<hash>}, the hash taken over everything that decides
 * its contents (this recipe, the JDK, the modules, every class-path entry's bytes): it is built
 * once, reused by later runs, and rebuilt when any input changes. Older worker images beyond the
 * {@value #KEEP_IMAGES} most recent are removed after a build.
 *
 * <pre>{@code
 * WorkerImage image = WorkerImage.worker();    // or WorkerImage.of(jars) for another class path
 * String tag = image.ensureBuilt(DockerEngine.connect(), Duration.ofMinutes(5));
 * }</pre>
 */
public final class WorkerImage {
    /** The repository part of every worker image's name. */
    public static final String REPOSITORY = "upcert-worker";

    /**
     * What a worker and a plain extension need: {@code java.base}; {@code java.logging} (JDK
     * logging, which libraries reach for); {@code jdk.unsupported} ({@code sun.misc.Unsafe}, which
     * Jackson and many libraries probe for). Jackson's optional {@code java.desktop} and {@code
     * java.sql} support switches itself off without them (22 MB saved).
     */
    public static final List<String> DEFAULT_MODULES = List.of("java.base", "java.logging", "jdk.unsupported");

    /** The runtime's {@code java} inside the image. */
    public static final String JAVA = "/opt/java/bin/java";

    /** Where the class-path jars are inside the image. */
    public static final String LIB = "/opt/upcert/lib";

    /** The class path a container's {@code java} is given (the launcher expands the wildcard). */
    public static final String CLASS_PATH = LIB + "/*";

    /** The user the image runs as unless told otherwise: {@code nobody}. */
    public static final int NOBODY = 65534;

    /** The label every worker image carries (value {@code worker}). */
    static final String LABEL = "org.upcert.image";

    /** How many worker images are kept after a build (the newest; the rest are removed). */
    static final int KEEP_IMAGES = 4;

    /** Bump when the recipe below changes: the tag changes with it. */
    private static final int RECIPE = 1;

    private static final List<String> JLINK_OPTIONS = List.of("--strip-debug", "--no-header-files", "--no-man-pages");

    /** Fixed time for every file in the build context: same inputs, same layer. */
    private static final FileTime EPOCH = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));

    private static final String PASSWD = "root:x:0:0:root:/:/sbin/nologin\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n";
    private static final String GROUP = "root:x:0:\nnogroup:x:65534:\n";

    /** Tags built or found by this JVM (a lock per tag, so one build per tag at a time). */
    private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();
    private static final Set<String> READY = ConcurrentHashMap.newKeySet();

    private final List<Path> classPath;
    private final List<String> modules;
    private volatile String inputsHash;

    private WorkerImage(List<Path> classPath, List<String> modules) {
        if (classPath.isEmpty()) {
            throw new IllegalArgumentException("a worker image needs a class path");
        }
        for (Path entry : classPath) {
            if (!Files.isRegularFile(entry) && !Files.isDirectory(entry)) {
                throw new IllegalArgumentException("class-path entry not found: " + entry);
            }
        }
        this.classPath = List.copyOf(classPath);
        this.modules = List.copyOf(modules);
    }

    /**
     * The image for a class path: jars, or folders of classes (packed into a jar in the image).
     * The order is kept in the image's file names, though a wildcard class path does not promise
     * an order: entries should not define the same classes.
     */
    public static WorkerImage of(List<Path> classPath) {
        return new WorkerImage(classPath.stream().map(p -> p.toAbsolutePath().normalize()).toList(), DEFAULT_MODULES);
    }

    /**
     * The image of the JVM worker: the jars (or class folders) of the extension protocol, the API
     * and Jackson, found where this JVM loaded them from (in the {@code upcert} jar, that one jar).
     */
    public static WorkerImage worker() {
        return of(classPathOf(WorkerMain.class, UploadExtension.class, ObjectMapper.class, JsonParser.class,
                JsonAutoDetect.class));
    }

    /** The same class path with another set of runtime modules (an extension that needs {@code java.xml}). */
    public WorkerImage withModules(List<String> runtimeModules) {
        return new WorkerImage(classPath, runtimeModules);
    }

    /** The jars or class folders the given classes were loaded from, without repeats, in order. */
    public static List<Path> classPathOf(Class<?>... types) {
        Set<Path> entries = new LinkedHashSet<>();
        for (Class<?> type : types) {
            var source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                throw new IllegalArgumentException(type.getName() + " has no code source (a JDK class?)");
            }
            try {
                entries.add(Path.of(source.getLocation().toURI()).toAbsolutePath().normalize());
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot locate the jar of " + type.getName() + ": " + source.getLocation(), e);
            }
        }
        return List.copyOf(entries);
    }

    public List<Path> classPath() {
        return classPath;
    }

    public List<String> modules() {
        return modules;
    }

    /** {@code upcert-worker:<first 16 hex digits of the inputs' hash>}. Reads every class-path entry once. */
    public String tag() {
        return REPOSITORY + ":" + inputsHash().substring(0, 16);
    }

    /** True if the engine already has this image (nothing to build). */
    public boolean isBuilt(DockerEngine engine) {
        String tag = tag();
        if (READY.contains(tag)) {
            return true;
        }
        try {
            engine.client().inspectImageCmd(tag).exec();
            READY.add(tag);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Makes sure the engine has this image, building it if it has not, within {@code bound} of real
     * time; returns its tag. A failure says which step failed and why (no {@code jlink} in a JRE,
     * no {@code ldd}, the engine refusing the build…).
     */
    public String ensureBuilt(DockerEngine engine, Duration bound) throws ContainerSandboxException {
        String tag = tag();
        synchronized (LOCKS.computeIfAbsent(tag, t -> new Object())) {
            if (isBuilt(engine)) {
                return tag;
            }
            Instant deadline = Instant.now().plus(bound); // wall-clock ok: the image build's bound
            Path work;
            try {
                work = Files.createTempDirectory("upcert-image-");
            } catch (IOException e) {
                throw new ContainerSandboxException("cannot build the worker image " + tag + ": no temporary folder (" + e + ")", e);
            }
            try {
                Path context = work.resolve("context");
                assembleContext(context, deadline);
                Path tar = work.resolve("context.tar");
                writeTar(context, tar);
                build(engine.client(), tar, tag, deadline);
                READY.add(tag);
            } catch (IOException | RuntimeException e) {
                throw new ContainerSandboxException("cannot build the worker image " + tag + ": " + e.getMessage(), e);
            } finally {
                deleteRecursively(work);
            }
            pruneOlderImages(engine.client(), tag);
            return tag;
        }
    }

    /** The Dockerfile of the image. */
    static String dockerfile() {
        return "FROM scratch\n"
                + "COPY rootfs/ /\n"
                + "USER " + NOBODY + ":" + NOBODY + "\n"
                + "WORKDIR /upcert/scratch\n"
                + "CMD [\"" + JAVA + "\", \"-version\"]\n";
    }

    private String inputsHash() {
        String hash = inputsHash;
        if (hash == null) {
            MessageDigest digest = sha256();
            StringBuilder inputs = new StringBuilder();
            inputs.append("recipe ").append(RECIPE).append('\n').append(dockerfile());
            inputs.append("modules ").append(String.join(",", modules)).append('\n');
            inputs.append("jlink ").append(String.join(" ", JLINK_OPTIONS)).append('\n');
            Path javaHome = Path.of(System.getProperty("java.home"));
            inputs.append("java.home ").append(javaHome).append('\n');
            inputs.append("java.runtime.version ").append(System.getProperty("java.runtime.version")).append('\n');
            inputs.append("java.vm.version ").append(System.getProperty("java.vm.version")).append('\n');
            inputs.append("os.arch ").append(System.getProperty("os.arch")).append('\n');
            for (String file : List.of("lib/modules", "lib/server/libjvm.so")) {
                Path p = javaHome.resolve(file);
                try {
                    inputs.append(file).append(' ').append(Files.size(p)).append(' ')
                            .append(Files.getLastModifiedTime(p).toMillis()).append('\n');
                } catch (IOException e) {
                    inputs.append(file).append(" absent\n");
                }
            }
            for (int i = 0; i < classPath.size(); i++) {
                Path entry = classPath.get(i);
                inputs.append("entry ").append(i).append(' ').append(imageName(i, entry)).append(' ')
                        .append(contentHash(entry)).append('\n');
            }
            hash = HexFormat.of().formatHex(digest.digest(inputs.toString().getBytes(StandardCharsets.UTF_8)));
            inputsHash = hash;
        }
        return hash;
    }

    /** The name of class-path entry {@code index} in {@value #LIB}. */
    static String imageName(int index, Path entry) {
        String name = entry.getFileName().toString();
        if (Files.isDirectory(entry)) {
            name = name + ".jar";
        }
        return String.format(java.util.Locale.ROOT, "%02d-%s", index, name.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private static String contentHash(Path entry) {
        MessageDigest digest = sha256();
        try {
            if (Files.isDirectory(entry)) {
                for (Path file : filesUnder(entry)) {
                    digest.update(entry.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                    digest.update((byte) 0);
                    digest.update(Files.readAllBytes(file));
                }
            } else {
                try (InputStream in = Files.newInputStream(entry)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read class-path entry " + entry, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private void assembleContext(Path context, Instant deadline) throws IOException {
        Path rootfs = context.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("opt"));
        Path runtime = rootfs.resolve("opt/java");
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jlink = javaHome.resolve("bin/jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IOException("the Java running upcert (" + javaHome + ") has no jlink: run upcert with a JDK, not a JRE");
        }
        List<String> command = new ArrayList<>(List.of(jlink.toString(), "--add-modules", String.join(",", modules)));
        command.addAll(JLINK_OPTIONS);
        command.addAll(List.of("--output", runtime.toString()));
        run(command, deadline, "jlink");
        // A class-data-sharing archive: the worker starts in about half the time. Best effort.
        try {
            run(List.of(runtime.resolve("bin/java").toString(), "-Xshare:dump"), deadline, "the CDS archive");
        } catch (IOException e) {
            if (Instant.now().isAfter(deadline)) { // wall-clock ok: the image build's bound
                throw e;
            }
        }
        for (Path library : sharedLibraries(runtime, deadline)) {
            Path target = rootfs.resolve(library.toString().substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(library.toRealPath(), target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path lib = rootfs.resolve(LIB.substring(1));
        Files.createDirectories(lib);
        for (int i = 0; i < classPath.size(); i++) {
            Path entry = classPath.get(i);
            Path target = lib.resolve(imageName(i, entry));
            if (Files.isDirectory(entry)) {
                packJar(entry, target);
            } else {
                Files.copy(entry, target);
            }
        }
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), PASSWD);
        Files.writeString(rootfs.resolve("etc/group"), GROUP);
        // Mount points, so the engine need not create them in a read-only root.
        Files.createDirectories(rootfs.resolve("upcert/channel"));
        Files.createDirectories(rootfs.resolve("upcert/scratch"));
        Files.writeString(rootfs.resolve("upcert/extension.jar"), "");
        Files.writeString(context.resolve("Dockerfile"), dockerfile());
    }

    /** The host libraries the runtime's executables and libraries load, the dynamic loader included. */
    private static List<Path> sharedLibraries(Path runtime, Instant deadline) throws IOException {
        List<String> command = new ArrayList<>(List.of("ldd", runtime.resolve("bin/java").toString()));
        try (Stream<Path> files = Files.walk(runtime.resolve("lib"))) {
            files.filter(p -> p.getFileName().toString().endsWith(".so")).sorted().map(Path::toString).forEach(command::add);
        }
        String output = run(command, deadline, "ldd");
        return parseLdd(output, runtime);
    }

    /**
     * The absolute library paths in {@code ldd}'s output, except those inside {@code runtime}
     * (found there at run time) and those it could not find (the runtime's own, found through its
     * run path): {@code libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)} and
     * {@code /lib64/ld-linux-x86-64.so.2 (0x…)}.
     */
    static List<Path> parseLdd(String output, Path runtime) {
        Set<Path> libraries = new LinkedHashSet<>();
        Path runtimeReal = runtime.toAbsolutePath().normalize();
        for (String raw : output.split("\n")) {
            String line = raw.trim();
            String path;
            int arrow = line.indexOf("=>");
            if (arrow >= 0) {
                path = line.substring(arrow + 2).trim();
            } else if (line.startsWith("/") && !line.endsWith(":")) {
                path = line;
            } else {
                continue;
            }
            int address = path.indexOf(" (");
            if (address >= 0) {
                path = path.substring(0, address);
            }
            if (!path.startsWith("/")) {
                continue; // "not found", or a virtual library (linux-vdso)
            }
            Path library = Path.of(path).normalize();
            if (!library.startsWith(runtimeReal)) {
                libraries.add(library);
            }
        }
        return libraries.stream().sorted().toList();
    }

    private static void packJar(Path folder, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(new BufferedOutputStream(Files.newOutputStream(jar)))) {
            for (Path file : filesUnder(folder)) {
                JarEntry entry = new JarEntry(folder.relativize(file).toString().replace('\\', '/'));
                entry.setLastModifiedTime(EPOCH);
                out.putNextEntry(entry);
                Files.copy(file, out);
                out.closeEntry();
            }
        }
    }

    private static List<Path> filesUnder(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** The build context as a tar: sorted, owned by root, one fixed time, symbolic links kept. */
    private static void writeTar(Path context, Path tar) throws IOException {
        List<Path> paths;
        try (Stream<Path> all = Files.walk(context)) {
            paths = all.filter(p -> !p.equals(context)).sorted(Comparator.comparing(p -> context.relativize(p).toString())).toList();
        }
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tar));
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path path : paths) {
                String name = context.relativize(path).toString();
                TarArchiveEntry entry;
                boolean regular = false;
                if (Files.isSymbolicLink(path)) {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(path).toString());
                } else if (Files.isDirectory(path)) {
                    entry = new TarArchiveEntry(name + "/");
                    entry.setMode(040755);
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setSize(Files.size(path));
                    entry.setMode(0100000 | mode(path));
                    regular = true;
                }
                entry.setUserId(0);
                entry.setGroupId(0);
                entry.setModTime(EPOCH);
                out.putArchiveEntry(entry);
                if (regular) {
                    Files.copy(path, out);
                }
                out.closeArchiveEntry();
            }
            out.finish();
        }
    }

    /** The file's permission bits, made readable by everyone (the container's user is not its owner). */
    private static int mode(Path file) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        boolean executable = permissions.contains(PosixFilePermission.OWNER_EXECUTE);
        return executable ? 0755 : 0644;
    }

    private static void build(DockerClient client, Path tar, String tag, Instant deadline) throws IOException {
        long seconds = Math.max(1, Duration.between(Instant.now(), deadline).toSeconds()); // wall-clock ok: the image build's bound
        Map<String, String> labels = new TreeMap<>(Map.of(LABEL, "worker", LABEL + ".inputs", tag));
        BuildImageResultCallback callback = new BuildImageResultCallback();
        try (InputStream in = Files.newInputStream(tar)) {
            client.buildImageCmd()
                    .withTarInputStream(in)
                    .withTags(Set.of(tag))
                    .withLabels(labels)
                    .withPull(false)
                    .withRemove(true)
                    .withForcerm(true)
                    .exec(callback)
                    .awaitImageId(seconds, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            try {
                callback.close();
            } catch (IOException ignored) {
                // the build already failed; its reason is what matters
            }
            throw new IOException("docker build failed: " + e.getMessage(), e);
        }
    }

    /**
     * Removes worker images beyond the newest {@value #KEEP_IMAGES}; images in use stay, and so do the
     * images this JVM built or found ({@link #READY}): it launches them without asking the engine again,
     * and an older one it still uses (another class path's image, found at the start of a test run on a
     * machine holding many) was removed under it ("No such image" in a fresh-clone CI on a machine that
     * had built images all day).
     */
    private static void pruneOlderImages(DockerClient client, String keep) {
        try {
            List<Image> images = new ArrayList<>(client.listImagesCmd().withLabelFilter(Map.of(LABEL, "worker")).exec());
            images.sort(Comparator.comparing((Image i) -> i.getCreated() == null ? 0L : i.getCreated()).reversed());
            int others = 0;
            for (Image image : images) {
                List<String> tags = image.getRepoTags() == null ? List.of() : List.of(image.getRepoTags());
                if (tags.contains(keep) || tags.stream().anyMatch(READY::contains) || ++others < KEEP_IMAGES) {
                    continue;
                }
                try {
                    client.removeImageCmd(image.getId()).withForce(false).exec();
                } catch (RuntimeException inUse) {
                    // a container still uses it, or another run removed it first
                }
            }
        } catch (RuntimeException e) {
            // pruning is housekeeping: never a reason to fail a run
        }
    }

    /** Runs a command, bounded by {@code deadline}; returns its output, or says why it failed. */
    private static String run(List<String> command, Instant deadline, String what) throws IOException {
        Path output = Files.createTempFile("upcert-image-", ".out");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw new IOException(what + " could not be started (" + command.get(0) + "): " + e.getMessage(), e);
            }
            Duration left = Duration.between(Instant.now(), deadline); // wall-clock ok: the image build's bound
            if (!Bounded.within(left, () -> !process.isAlive())) {
                process.destroyForcibly();
                throw new IOException(what + " took longer than the build's bound allowed");
            }
            String text = Files.readString(output);
            if (process.exitValue() != 0) {
                throw new IOException(what + " failed (exit " + process.exitValue() + "): " + tail(text));
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String tail(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= 800 ? trimmed : "…" + trimmed.substring(trimmed.length() - 800);
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort: a temporary folder the OS cleans up eventually
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

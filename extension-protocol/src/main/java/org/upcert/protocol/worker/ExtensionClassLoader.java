package org.upcert.protocol.worker;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.util.Enumeration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.upcert.api.API;
import org.upcert.api.UploadExtension;

/**
 * The class loader of one extension process: the extension jar on top of the JDK, with only
 * {@code org.upcert.api} shared with the harness. The extension cannot see (or clash with) the
 * harness's own libraries, and a class that happens to be on the harness's class path too is
 * still loaded from the jar, as on a device where the extension is its own binary.
 *
 * <p>Used by the JVM worker for every simulated launch, and by the harness's in-process host.
 *
 * <p>Each launch defines its classes afresh (a relaunched process keeps nothing in memory: no
 * class, no static field of the previous launch survives), but the bytes of a class are read from
 * the jar once per JVM and kept ({@link ClassBytes}): a worker relaunches the extension hundreds
 * of times in a certification, and opening the jar and inflating every class again each time was
 * a fifth of a worker's CPU. The classes are defined exactly as {@link URLClassLoader} defines
 * them (the jar's URL as their code source, their package from the jar's manifest); a signed jar,
 * or one that is not a file, is read by {@link URLClassLoader} itself, as before.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class ExtensionClassLoader extends URLClassLoader {
    private static final String API_PACKAGE = UploadExtension.class.getPackageName() + ".";
    private static final ClassLoader API_LOADER = UploadExtension.class.getClassLoader();

    static {
        registerAsParallelCapable();
    }

    private final URL jar;
    private final ClassBytes bytes;
    private final CodeSource codeSource;

    public ExtensionClassLoader(URL jar) {
        super("upcert-extension", new URL[] {jar}, ClassLoader.getPlatformClassLoader());
        this.jar = jar;
        this.bytes = ClassBytes.of(jar).orElse(null);
        this.codeSource = new CodeSource(jar, (CodeSigner[]) null);
    }

    /** The one provider class an earlier launch of this jar found ({@link ExtensionProvider}); null if none is known. */
    String knownProvider() {
        return bytes == null ? null : bytes.provider;
    }

    /** Keeps the one provider class {@link java.util.ServiceLoader} found in this jar, for its later launches. */
    void rememberProvider(String className) {
        if (bytes != null) {
            bytes.provider = className;
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(API_PACKAGE)) {
            return API_LOADER.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] code = bytes == null ? null : bytes.classBytes(name);
        if (code == null) {
            return super.findClass(name); // not in the jar (or not kept): URLClassLoader says so, as before
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            definePackageOnce(name.substring(0, dot));
        }
        return defineClass(name, code, 0, code.length, codeSource);
    }

    /** The package of a class, defined as URLClassLoader defines it: from the jar's manifest when it has one. */
    private void definePackageOnce(String packageName) {
        if (getDefinedPackage(packageName) != null) {
            return;
        }
        try {
            Manifest manifest = bytes.manifest();
            if (manifest != null) {
                definePackage(packageName, manifest, jar);
            } else {
                definePackage(packageName, null, null, null, null, null, null, null);
            }
        } catch (IllegalArgumentException definedMeanwhile) {
            // another thread of this loader defined it first: the same package
        }
    }

    /**
     * The class bytes of one unsigned jar file, read once and kept for every launch in this JVM,
     * keyed by the jar's path, size and modification time (a rebuilt jar is read afresh). Bounded:
     * once {@link #MAX_BYTES} are kept, later classes are read from the open jar each time.
     */
    static final class ClassBytes {
        static final long MAX_BYTES = 32L << 20;
        private static final int MAX_JARS = 8;
        private static final ConcurrentHashMap<String, Optional<ClassBytes>> JARS = new ConcurrentHashMap<>();
        private static final byte[] ABSENT = new byte[0];

        private final JarFile file;
        private final Manifest manifest;
        private final ConcurrentHashMap<String, byte[]> classes = new ConcurrentHashMap<>();
        private final AtomicLong kept = new AtomicLong();
        /** The jar's one {@code UploadExtension} provider, once a launch found it ({@link ExtensionProvider}). */
        private volatile String provider;

        private ClassBytes(JarFile file, Manifest manifest) {
            this.file = file;
            this.manifest = manifest;
        }

        /** The kept bytes of the jar at {@code url}; empty for a signed jar, or one that is not a readable file. */
        static Optional<ClassBytes> of(URL url) {
            if (!"file".equals(url.getProtocol())) {
                return Optional.empty();
            }
            String key;
            Path path;
            try {
                path = Path.of(url.toURI());
                key = path.toAbsolutePath() + "|" + Files.size(path) + "|" + Files.getLastModifiedTime(path).toMillis();
            } catch (IOException | URISyntaxException | IllegalArgumentException e) {
                return Optional.empty();
            }
            if (JARS.size() >= MAX_JARS && !JARS.containsKey(key)) {
                JARS.clear(); // a long edit-run loop rebuilding its jar: the old ones are not used again
            }
            return JARS.computeIfAbsent(key, k -> open(path));
        }

        private static Optional<ClassBytes> open(Path path) {
            try {
                // as URLClassLoader opens it: a multi-release jar gives the entries of this Java version
                JarFile file = new JarFile(path.toFile(), false, java.util.zip.ZipFile.OPEN_READ, Runtime.version());
                Enumeration<JarEntry> entries = file.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName().toUpperCase(java.util.Locale.ROOT);
                    if (name.startsWith("META-INF/") && (name.endsWith(".SF") || name.endsWith(".RSA") || name.endsWith(".DSA")
                            || name.endsWith(".EC"))) {
                        file.close();
                        return Optional.empty(); // signed: its classes carry signers, which URLClassLoader verifies
                    }
                }
                return Optional.of(new ClassBytes(file, file.getManifest()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        Manifest manifest() {
            return manifest;
        }

        /** The bytes of class {@code name} in the jar, or null if the jar has no such class (or cannot be read now). */
        byte[] classBytes(String name) {
            byte[] known = classes.get(name);
            if (known != null) {
                return known == ABSENT ? null : known;
            }
            byte[] read;
            try {
                JarEntry entry = file.getJarEntry(name.replace('.', '/') + ".class");
                if (entry == null) {
                    read = ABSENT;
                } else {
                    try (InputStream in = file.getInputStream(entry)) {
                        read = in.readAllBytes();
                    }
                }
            } catch (IOException | IllegalStateException e) {
                return null; // URLClassLoader reads it (and reports what is wrong)
            }
            if (kept.addAndGet(read.length) <= MAX_BYTES) {
                classes.putIfAbsent(name, read);
            }
            return read == ABSENT ? null : read;
        }
    }
}

package org.upcert.harness.host;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.upcert.api.UploadExtension;
import org.upcert.harness.library.Payloads;
import org.upcert.protocol.worker.ExtensionClassLoader;

/**
 * Where extension instances come from.
 *
 * <ul>
 *   <li>{@link #jar(Path)}: an extension jar, loaded by {@link ServiceLoader} in a class loader
 *       of its own. Every process launch gets a <em>new</em> class loader, so static fields are
 *       lost on a kill, as they are when a device relaunches the process.
 *   <li>{@link #type(Class)}: a class already on the class path (an author's own JUnit build, the
 *       harness's tests). Statics survive relaunches here; use a jar for full fidelity.
 * </ul>
 */
public abstract sealed class ExtensionSource permits ExtensionSource.Jar, ExtensionSource.Type, CommandSource {
    private volatile org.upcert.harness.scope.DeclaredScope scope = org.upcert.harness.scope.DeclaredScope.everything();

    /**
     * What the extension declares it uploads: from its jar's
     * {@value org.upcert.harness.scope.DeclaredScope#JAR_ENTRY}, or given with
     * {@link #withDeclaredScope}; everything when it declares nothing.
     */
    public org.upcert.harness.scope.DeclaredScope declaredScope() {
        return scope;
    }

    /**
     * Sets the declared scope (a {@code --scope FILE}, a test's extension class); call before
     * any run. Returns this source.
     */
    public ExtensionSource withDeclaredScope(org.upcert.harness.scope.DeclaredScope declared) {
        this.scope = Objects.requireNonNull(declared, "declared");
        return this;
    }

    /** A new instance of the extension, for a freshly launched process. */
    public abstract UploadExtension newInstance();

    /** The class loader of the last instance made (the thread context loader of its threads). */
    public abstract ClassLoader classLoader();

    /** A short description for summaries and traces. */
    public abstract String describe();

    /** SHA-256 of the extension's code (the jar, or the class file), for reproducibility records. */
    public abstract String sha256();

    public static ExtensionSource jar(Path jar) {
        return new Jar(jar);
    }

    /**
     * An extension in any language: a command that speaks the extension protocol
     * ({@code docs/protocol.md}), started once per simulated process from {@code workingDirectory}.
     */
    public static ExtensionSource command(java.util.List<String> command, Path workingDirectory) {
        return new CommandSource(command, workingDirectory);
    }

    /** The jar this extension comes from, if it comes from one (out-of-process hosts load it themselves). */
    public Optional<Path> jarPath() {
        return Optional.empty();
    }

    public static ExtensionSource type(Class<? extends UploadExtension> type) {
        return new Type(type, () -> {
            try {
                return type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new ExtensionLoadException("cannot instantiate " + type.getName()
                        + ": it needs a public no-argument constructor (" + e + ")", e);
            }
        });
    }

    /** A class whose instances come from {@code factory} (tests that configure a mutant). */
    public static ExtensionSource type(Class<? extends UploadExtension> type, Supplier<? extends UploadExtension> factory) {
        return new Type(type, factory);
    }

    /** The extension could not be loaded: the message says what to fix. */
    public static final class ExtensionLoadException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ExtensionLoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final class Jar extends ExtensionSource {
        private final Path jar;
        private final String sha256;
        private final String providerName;
        private URLClassLoader current;

        Jar(Path jar) {
            this.jar = jar.toAbsolutePath().normalize();
            // Validate now, so a bad jar is a clear error before the run starts, not a crash in it;
            // the check runs none of the jar's code.
            ExtensionJarCheck check = ExtensionJarCheck.of(this.jar);
            if (!check.ok()) {
                throw new ExtensionLoadException(check.summary(), null);
            }
            this.providerName = check.provider().orElseThrow();
            try {
                withDeclaredScope(org.upcert.harness.scope.ScopeFile.ofJar(this.jar));
            } catch (org.upcert.harness.faults.profile.ProfileException e) {
                throw new ExtensionLoadException(e.getMessage() + "\nthe extension's declared scope is not valid (docs/scope.md)", e);
            }
            try {
                this.sha256 = hashOf(this.jar);
            } catch (IOException e) {
                throw new ExtensionLoadException("extension jar " + this.jar + ": cannot be read: " + e.getMessage(), e);
            }
        }

        @Override
        public Optional<Path> jarPath() {
            return Optional.of(jar);
        }

        /**
         * SHA-256 of the jar's bytes, kept per (path, size, modification time): a certification
         * asks for its extension's source once per cell (some 2,600), and hashing the jar each
         * time was 2% of its CPU. A changed jar has another size or time, and is hashed again.
         */
        private static String hashOf(Path jar) throws IOException {
            String key = jar + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis();
            String known = HASHES.get(key);
            if (known != null) {
                return known;
            }
            String hash = Payloads.sha256(Files.readAllBytes(jar));
            if (HASHES.size() < 64) {
                HASHES.put(key, hash);
            }
            return hash;
        }

        private static final java.util.concurrent.ConcurrentHashMap<String, String> HASHES =
                new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public synchronized UploadExtension newInstance() {
            URLClassLoader loader = loader();
            current = loader;
            return provider(loader).get();
        }

        @Override
        public synchronized ClassLoader classLoader() {
            return current;
        }

        @Override
        public String describe() {
            return providerName + " from " + jar.getFileName();
        }

        @Override
        public String sha256() {
            return sha256;
        }

        private URLClassLoader loader() {
            try {
                return new ExtensionClassLoader(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new ExtensionLoadException("bad jar path " + jar, e);
            }
        }

        private ServiceLoader.Provider<UploadExtension> provider(URLClassLoader loader) {
            List<ServiceLoader.Provider<UploadExtension>> providers;
            try {
                // Only providers the jar itself declares: the harness's own class path must not leak in.
                providers = ServiceLoader.load(UploadExtension.class, loader).stream()
                        .filter(p -> p.type().getClassLoader() == loader)
                        .toList();
            } catch (java.util.ServiceConfigurationError e) {
                throw new ExtensionLoadException("the jar's service declaration is broken: " + e.getMessage(), e);
            }
            if (providers.isEmpty()) {
                throw new ExtensionLoadException("no UploadExtension in " + jar + ": list your class in "
                        + "META-INF/services/org.upcert.api.UploadExtension", null);
            }
            if (providers.size() > 1) {
                throw new ExtensionLoadException("several UploadExtension providers in " + jar + ": "
                        + providers.stream().map(p -> p.type().getName()).toList() + "; a jar must declare one", null);
            }
            return providers.get(0);
        }
    }

    static final class Type extends ExtensionSource {
        private final Class<? extends UploadExtension> type;
        private final Supplier<? extends UploadExtension> factory;

        Type(Class<? extends UploadExtension> type, Supplier<? extends UploadExtension> factory) {
            this.type = Objects.requireNonNull(type);
            this.factory = Objects.requireNonNull(factory);
        }

        @Override
        public UploadExtension newInstance() {
            return factory.get();
        }

        @Override
        public ClassLoader classLoader() {
            return type.getClassLoader();
        }

        @Override
        public String describe() {
            return type.getName();
        }

        @Override
        public String sha256() {
            String resource = type.getName().replace('.', '/') + ".class";
            try (InputStream in = type.getClassLoader().getResourceAsStream(resource)) {
                return in == null ? "unknown" : Payloads.sha256(in.readAllBytes());
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}

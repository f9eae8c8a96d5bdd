package org.upcert.harness.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.upcert.api.UploadExtension;

/**
 * Whether a file can be hosted as an extension, decided before any run and without running any
 * of its code: the file is read as a zip, its service entry parsed, and the class it names
 * looked at through reflection only ({@code Class.forName(name, false, loader)}: no static
 * initialiser runs) in a throw-away class loader that is closed afterwards.
 *
 * <p>A jar passes when it is a zip archive with a {@code META-INF/services/org.upcert.api.UploadExtension}
 * entry naming exactly one class, that class is in the jar, it is a public, concrete
 * {@link UploadExtension}, and it has a public no-argument constructor: what {@link
 * java.util.ServiceLoader} needs to make an instance. Whether that constructor then succeeds is
 * only known by running it, which is the host's business. Every problem found is one line saying
 * what to fix.
 */
public final class ExtensionJarCheck {
    /** Where a jar names its extension class. */
    public static final String SERVICE_ENTRY = "META-INF/services/" + UploadExtension.class.getName();
    private static final String API_PACKAGE = UploadExtension.class.getPackageName() + ".";

    private final Path jar;
    private final List<String> problems;
    private final String provider;

    private ExtensionJarCheck(Path jar, List<String> problems, String provider) {
        this.jar = jar;
        this.problems = List.copyOf(problems);
        this.provider = provider;
    }

    /** Checks {@code jar}; never throws for a bad file (that is a problem in the result). */
    public static ExtensionJarCheck of(Path jar) {
        Path file = jar.toAbsolutePath().normalize();
        List<String> problems = new ArrayList<>();
        List<String> providers = new ArrayList<>();
        if (Files.isDirectory(file)) {
            problems.add("is a directory, not a jar");
        } else if (!Files.isRegularFile(file)) {
            problems.add("not found");
        } else {
            readServiceEntry(file, problems, providers);
        }
        if (problems.isEmpty() && providers.size() > 1) {
            problems.add(SERVICE_ENTRY + " names " + providers.size() + " classes (" + String.join(", ", providers)
                    + "); a jar must declare exactly one UploadExtension");
        }
        if (problems.isEmpty()) {
            inspect(file, providers.get(0), problems);
        }
        return new ExtensionJarCheck(file, problems, problems.isEmpty() ? providers.get(0) : null);
    }

    /** Everything wrong with the jar, one line each; empty when it can be hosted. */
    public List<String> problems() {
        return problems;
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** The extension class the jar declares, when the jar is fine. */
    public Optional<String> provider() {
        return Optional.ofNullable(provider);
    }

    /** One line: {@code extension jar <path>: <problem>; <problem>}. */
    public String summary() {
        return "extension jar " + jar + ": " + (problems.isEmpty() ? "fine, declares " + provider : String.join("; ", problems));
    }

    private static void readServiceEntry(Path file, List<String> problems, List<String> providers) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry entry = zip.getEntry(SERVICE_ENTRY);
            if (entry == null || entry.isDirectory()) {
                problems.add("no " + SERVICE_ENTRY + " entry; list your UploadExtension class there (one line, its binary name)");
                return;
            }
            LinkedHashSet<String> names = new LinkedHashSet<>();
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(zip.getInputStream(entry), decoder))) {
                String line;
                int number = 0;
                while ((line = reader.readLine()) != null) {
                    number++;
                    int comment = line.indexOf('#');
                    String name = (comment >= 0 ? line.substring(0, comment) : line).strip();
                    if (name.isEmpty()) {
                        continue;
                    }
                    if (!isBinaryName(name)) {
                        problems.add(SERVICE_ENTRY + " line " + number + ": '" + printable(name) + "' is not a class name");
                        return;
                    }
                    names.add(name); // ServiceLoader ignores a repeated name, and so does the check
                }
            } catch (CharacterCodingException e) {
                problems.add(SERVICE_ENTRY + " is not UTF-8 text");
                return;
            }
            if (names.isEmpty()) {
                problems.add(SERVICE_ENTRY + " names no class; put your UploadExtension class's binary name in it");
                return;
            }
            for (String name : names) {
                if (!hasClass(zip, name)) {
                    problems.add(name + ", named in " + SERVICE_ENTRY + ", is not in the jar (no " + classFile(name) + ")");
                }
            }
            providers.addAll(names);
        } catch (ZipException e) {
            problems.add("not a jar: the file is not a zip archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            problems.add("cannot be read: " + e.getMessage());
        }
    }

    /**
     * Loads the class without initialising it, in a class loader that sees the jar, the JDK and
     * {@code org.upcert.api} (as the extension's own loader does), and closes it afterwards.
     */
    private static void inspect(Path file, String name, List<String> problems) {
        try (URLClassLoader loader = new ProbeLoader(file.toUri().toURL())) {
            Class<?> type;
            try {
                type = Class.forName(name, false, loader);
            } catch (ClassNotFoundException e) {
                problems.add(name + " cannot be loaded from the jar");
                return;
            } catch (UnsupportedClassVersionError e) {
                problems.add(name + " was compiled for a newer Java than this one (" + System.getProperty("java.version")
                        + "): " + e.getMessage());
                return;
            } catch (LinkageError e) {
                problems.add(name + " cannot be loaded: " + e);
                return;
            }
            if (type.getClassLoader() != loader) {
                problems.add(name + " is not the jar's own class (the jar may not define classes in " + API_PACKAGE + "*)");
                return;
            }
            if (!UploadExtension.class.isAssignableFrom(type)) {
                problems.add(name + " does not implement " + UploadExtension.class.getName());
                return;
            }
            int modifiers = type.getModifiers();
            if (type.isInterface() || Modifier.isAbstract(modifiers)) {
                problems.add(name + " is " + (type.isInterface() ? "an interface" : "abstract") + ": nothing can be instantiated");
                return;
            }
            if (!Modifier.isPublic(modifiers)) {
                problems.add(name + " is not public: the system can only instantiate a public class");
                return;
            }
            try {
                type.getConstructor();
            } catch (NoSuchMethodException e) {
                problems.add(name + " has no public no-argument constructor: the system makes the extension with new "
                        + name.substring(name.lastIndexOf('.') + 1) + "()");
            } catch (LinkageError e) {
                problems.add(name + " cannot be loaded: " + e);
            }
        } catch (MalformedURLException e) {
            problems.add("cannot be opened as a class path entry: " + e.getMessage());
        } catch (IOException e) {
            // closing the throw-away loader failed; nothing was run, the verdict stands
        }
    }

    private static boolean hasClass(ZipFile zip, String name) {
        String path = classFile(name);
        if (zip.getEntry(path) != null) {
            return true;
        }
        // a multi-release jar may keep the class under META-INF/versions/N/ only
        return zip.stream().anyMatch(e -> e.getName().startsWith("META-INF/versions/") && e.getName().endsWith("/" + path));
    }

    private static String classFile(String name) {
        return name.replace('.', '/') + ".class";
    }

    private static boolean isBinaryName(String name) {
        for (String part : name.split("\\.", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.codePointAt(0))) {
                return false;
            }
            if (!part.codePoints().allMatch(Character::isJavaIdentifierPart)) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String text) {
        String shown = text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return shown.length() <= 80 ? shown : shown.substring(0, 79) + "…";
    }

    /** The extension's view of the world, as its own loader has it: the jar, the JDK, {@code org.upcert.api}. */
    private static final class ProbeLoader extends URLClassLoader {
        private static final ClassLoader API_LOADER = UploadExtension.class.getClassLoader();

        ProbeLoader(URL jar) {
            super("upcert-extension-check", new URL[] {jar}, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith(API_PACKAGE)) {
                return API_LOADER.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}

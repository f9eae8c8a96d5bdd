package org.upcert.protocol.worker;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.upcert.api.UploadExtension;

/**
 * The extension's {@link UploadExtension} providers in one launch's class loader, found as
 * {@link ServiceLoader} finds them (its {@code META-INF/services} file in the jar), and a new
 * instance made as {@code ServiceLoader.Provider.get()} makes it.
 *
 * <p>Why not {@code ServiceLoader} every time: a worker relaunches the extension hundreds of times in
 * a certification, each launch a fresh class loader, and {@code ServiceLoader} looked the services
 * file up again through a new {@code URLClassPath} each time (opening the jar, reading its manifest,
 * parsing the file, a stream pipeline): 4% of the extension threads' samples in a worker. The first
 * launch of a jar still asks {@code ServiceLoader} (and so reports a bad services file exactly as the
 * JDK does); its answer, when it is exactly one provider, is kept with the jar's class bytes
 * ({@link ExtensionClassLoader.ClassBytes}, keyed by the jar's path, size and modification time), and
 * later launches load that class by name from their own loader. Anything unexpected there (which the
 * same bytes cannot produce) falls back to {@code ServiceLoader}.
 */
final class ExtensionProvider {
    private ExtensionProvider() {
    }

    /** The provider classes the jar declares, defined by {@code loader} itself (not by the JDK's loaders). */
    static List<Class<? extends UploadExtension>> types(ExtensionClassLoader loader) {
        String known = loader.knownProvider();
        if (known != null) {
            try {
                Class<?> type = Class.forName(known, false, loader);
                if (type.getClassLoader() == loader && UploadExtension.class.isAssignableFrom(type)
                        && Modifier.isPublic(type.getModifiers())) {
                    return List.of(type.asSubclass(UploadExtension.class));
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // not as the first launch found it: ask ServiceLoader, which says what is wrong
            }
        }
        List<Class<? extends UploadExtension>> found = ServiceLoader.load(UploadExtension.class, loader).stream()
                .map(ServiceLoader.Provider::type).filter(type -> type.getClassLoader() == loader).toList();
        if (found.size() == 1) {
            loader.rememberProvider(found.get(0).getName());
        }
        return found;
    }

    /**
     * A new instance of {@code type} through its public no-argument constructor, failing as
     * {@code ServiceLoader.Provider.get()} fails: a {@link ServiceConfigurationError} whose cause is
     * what the constructor (or the class's initializer) threw.
     */
    static UploadExtension newInstance(Class<? extends UploadExtension> type) {
        Constructor<? extends UploadExtension> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException | SecurityException e) {
            throw new ServiceConfigurationError(UploadExtension.class.getName() + ": " + type.getName()
                    + " Unable to get public no-arg constructor", e);
        }
        Throwable failure;
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            failure = e.getCause();
        } catch (Throwable e) {
            failure = e;
        }
        throw new ServiceConfigurationError(UploadExtension.class.getName() + ": Provider " + type.getName()
                + " could not be instantiated", failure);
    }
}

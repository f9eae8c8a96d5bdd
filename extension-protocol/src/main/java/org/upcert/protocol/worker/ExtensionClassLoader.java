package org.upcert.protocol.worker;

import java.net.URL;
import java.net.URLClassLoader;
import org.upcert.api.API;
import org.upcert.api.UploadExtension;

/**
 * The class loader of one extension process: the extension jar on top of the JDK, with only
 * {@code org.upcert.api} shared with the harness. The extension cannot see (or clash with) the
 * harness's own libraries, and a class that happens to be on the harness's class path too is
 * still loaded from the jar, as on a device where the extension is its own binary.
 *
 * <p>Used by the JVM worker for every simulated launch, and by the harness's in-process host.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class ExtensionClassLoader extends URLClassLoader {
    private static final String API_PACKAGE = UploadExtension.class.getPackageName() + ".";
    private static final ClassLoader API_LOADER = UploadExtension.class.getClassLoader();

    static {
        registerAsParallelCapable();
    }

    public ExtensionClassLoader(URL jar) {
        super("upcert-extension", new URL[] {jar}, ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(API_PACKAGE)) {
            return API_LOADER.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }
}

package org.upcert.conformance.styles;

import java.util.List;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/**
 * An extension whose every call spends memory and CPU the harness counts (docs/simulator.md,
 * "Memory and CPU"): it reads a 12 MiB cache from its app group (16 MiB with the process's base:
 * killed while a memory.pressure window leaves 12 MiB), enumerates the library and reads the
 * first twenty originals. It uploads nothing; it is a witness that the measure is the harness's,
 * the same wherever the extension runs.
 */
public final class MemoryWitness implements UploadExtension {
    private static final int CACHE_BYTES = 12 * 1024 * 1024;

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        if (context.storage().read("cache").isEmpty()) {
            context.storage().write("cache", new byte[CACHE_BYTES]);
        }
        List<Asset> assets = context.library().fetchAssets();
        int read = 0;
        for (Asset asset : assets) {
            for (AssetResource resource : asset.resources()) {
                if (read++ >= 20) {
                    return ProcessingResult.COMPLETED;
                }
                try {
                    context.library().requestData(resource);
                } catch (PhotosException gone) {
                    context.log().info("gone: " + resource.key());
                }
            }
        }
        return ProcessingResult.COMPLETED;
    }

    @Override
    public void willTerminate() {
    }
}

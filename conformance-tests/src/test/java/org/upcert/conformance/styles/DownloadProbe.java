package org.upcert.conformance.styles;

import org.upcert.api.Asset;
import org.upcert.api.ExtensionContext;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/**
 * A minimal extension, packable into a jar of its own for a JVM worker: at every call it asks for
 * a download-only job of the library's first original without checking the OS level, catches what
 * comes back and answers COMPLETED. On iOS 26.1 that is a trap on a device (RES-04).
 */
public class DownloadProbe implements UploadExtension {
    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        for (Asset asset : context.library().fetchAssets()) {
            try {
                context.library().performChanges(changes -> changes.createDownloadJob(asset.resources().get(0)));
                context.log().info("download-only job created");
            } catch (UnsupportedOperationException | PhotosException e) {
                context.log().info("no download-only job: " + e.getClass().getSimpleName());
            }
            break;
        }
        return ProcessingResult.COMPLETED;
    }

    @Override
    public void willTerminate() {
    }
}

package org.upcert.conformance.upgrade;

import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/**
 * Two builds of one tiny extension, each packed into a jar of its own by the tests, to show that
 * an {@code app.upgrade} runs the second artifact in every isolation mode: each call appends its
 * build's name to {@code builds.txt} in the app group and logs what it found there, then answers
 * FAILURE (so the system calls again after its backoff).
 */
public final class BuildStamps {
    private BuildStamps() {
    }

    static ProcessingResult stamp(ExtensionContext context, String build) {
        String before = context.storage().readString("builds.txt").orElse("");
        context.log().info(build + " found [" + before.strip() + "]");
        context.storage().appendString("builds.txt", build + " ");
        return ProcessingResult.FAILURE;
    }

    /** The app's first build. */
    public static final class OldBuild implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            return stamp(context, "old");
        }

        @Override
        public void willTerminate() {
        }
    }

    /** The app's next build. */
    public static final class NewBuild implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            return stamp(context, "new");
        }

        @Override
        public void willTerminate() {
        }
    }
}

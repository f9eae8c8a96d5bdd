package org.upcert.conformance.styles.cleanroom;

import java.util.concurrent.atomic.AtomicBoolean;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.StorageUnavailableException;
import org.upcert.api.UploadExtension;

/**
 * A clean-room S3 (presigned PUT) upload extension, written from Apple's documentation as the
 * reference paraphrases it, the API's javadoc and upcert's s3-presigned dialect, without reading
 * upcert's sample.
 *
 * <p>Shape: this class only owns the termination flag and the error boundary; each call is an
 * {@link Activation} that replays the {@link Journal} into a {@link Book} (a state machine per
 * resource), settles the jobs the system presents (read by {@link Policy}), discovers library
 * changes, and creates jobs with URLs the app backend presigns ({@link Presigner}). Every decision
 * is written ahead to the journal before the PhotoKit change it leads to, so a kill anywhere leaves
 * a journal the next process can finish from.
 */
public class S3JournalExtension implements UploadExtension {
    private final AtomicBoolean stop = new AtomicBoolean();

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        stop.set(false);
        try {
            return new Activation(context, stop, freshUrlOnRetry(), failureWhenStuck(), trustEmptyFirstWalk()).run();
        } catch (StorageUnavailableException locked) {
            // the container is locked (before the first unlock, or the host app's file lock):
            // nothing can be recorded, so nothing is acknowledged or created; come back later
            context.log().warn("app group unavailable: " + locked.getMessage());
            return ProcessingResult.FAILURE;
        } catch (RuntimeException unexpected) {
            context.log().error("unexpected: " + unexpected);
            return ProcessingResult.FAILURE;
        }
    }

    @Override
    public void willTerminate() {
        stop.set(true);
    }

    /** Whether a PhotoKit retry carries a freshly presigned URL (it must: the refusal may be the URL's). */
    protected boolean freshUrlOnRetry() {
        return true;
    }

    /** Whether a call the backend left with no URL, that moved nothing, answers FAILURE (it must: RES-03). */
    protected boolean failureWhenStuck() {
        return true;
    }

    /** Whether a walk that found nothing, with nothing ever found before, is taken as an empty library (it must not: E2E-01). */
    protected boolean trustEmptyFirstWalk() {
        return false;
    }

    /**
     * The mistake of the first version merged (and of the sample before e2fbca8), kept as a twin: the
     * first call's walk answered nothing ({@code library.flaky}) and the call answered COMPLETED; on a
     * quiet phone nothing calls again and every resource is lost (E2E-01 on explore:4038).
     */
    public static class TrustsAnEmptyFirstWalk extends S3JournalExtension {
        @Override
        protected boolean trustEmptyFirstWalk() {
            return true;
        }
    }

    /**
     * The first draft's mistake kept as a twin: a call the backend refused every presign, that moved
     * nothing, answers PROCESSING, and the system calls again every 5 minutes for as long as the
     * refusals last (RES-03 on {@code permanent-refusals}).
     */
    public static class ProcessingWhenStuck extends S3JournalExtension {
        @Override
        protected boolean failureWhenStuck() {
            return false;
        }
    }

    /**
     * The twin: everything the same, except that a failed job is retried with its original destination
     * ({@code retry(destination: nil)}): an expired presigned URL is sent again and refused again (RTY-03).
     */
    public static class RetriesTheStaleUrl extends S3JournalExtension {
        @Override
        protected boolean freshUrlOnRetry() {
            return false;
        }
    }
}

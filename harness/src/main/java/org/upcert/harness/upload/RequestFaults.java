package org.upcert.harness.upload;

/**
 * What the fault engine decides for one request at the moment it is sent: the system's transfer
 * of a job, or one of the extension's own HTTP calls. Decisions are drawn from the plan's seeded
 * streams in the order requests happen, so they are the same on every replay.
 */
public interface RequestFaults {

    /** No faults at all. */
    RequestFaults NONE = (channel, now) -> Fate.NORMAL;

    /**
     * @param channel {@code transfer} for the system's uploads, {@code http} for the extension's own calls
     * @param now virtual time the request starts
     */
    Fate decide(String channel, long now);

    /**
     * Whether downloading an offloaded original from iCloud fails for a transfer starting at
     * {@code now} (an {@code icloud.download} fault); asked only for offloaded assets.
     */
    default boolean iCloudDownloadFails(long now) {
        return false;
    }

    /** The fate of one request. */
    sealed interface Fate {
        Fate NORMAL = new Normal();

        /** Nothing happens to it. */
        record Normal() implements Fate {
        }

        /** The connection drops after {@code afterBytes} bytes of the body: nothing reaches the server. */
        record Drop(long afterBytes) implements Fate {
        }

        /** The server receives and commits the request; the response never arrives. */
        record ResponseLost() implements Fate {
        }

        /** The cloud answers {@code status} (with {@code Retry-After} when > 0) instead of serving it. */
        record CloudError(int status, long retryAfterSeconds) implements Fate {
        }

        /** The cloud answers {@code delayMs} later; at 60 s or more the request times out unanswered. */
        record Slow(long delayMs) implements Fate {
        }

        /** A broken answer: {@code empty}, {@code garbage} or {@code reset}. */
        record Malformed(String form) implements Fate {
        }
    }

    /** The request header by which the system asks a cloud stub to play an injected failure. */
    String INJECT_HEADER = "x-upcert-inject";

    /** The header value for a fate the cloud must play, or null if the cloud serves normally. */
    static String injection(Fate fate) {
        if (fate instanceof Fate.CloudError error) {
            return "status=" + error.status() + ";retry-after=" + error.retryAfterSeconds();
        }
        if (fate instanceof Fate.Malformed malformed) {
            return "malformed=" + malformed.form();
        }
        return null;
    }
}

package org.upcert.harness.scheduler;

import org.upcert.api.ProcessingResult;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.sim.SimRandom;

/**
 * Decides when the extension is called next, as the reference describes (§5, §6):
 *
 * <ul>
 *   <li>after enabling: about a second later;
 *   <li>after a library change: about three seconds later (outside any backoff);
 *   <li>after {@code PROCESSING} that registered transfers: a second after those uploads end
 *       (upcert caps the wait at {@link #PROGRESS_WAKE_CAP_MS} so one long video does not idle
 *       the queue; the reference is silent on long transfers);
 *   <li>after {@code PROCESSING} that created or retried jobs whose transfers are withheld: a second
 *       later; that only acknowledged or cancelled, or moved nothing: about five minutes later
 *       (measured: "about 5 min later if not" created);
 *   <li>after {@code COMPLETED}: only a library change wakes it;
 *   <li>after {@code FAILURE} or an escaped exception: backoff doubling per repeat;
 *   <li>after a kill: 6–11 minutes (seeded), doubling per consecutive kill;
 *   <li>the 50008 penalty: presented jobs left unacknowledged defer the next call ~300 s,
 *       doubling per repeat.
 * </ul>
 *
 * One pending activation at a time: a request earlier than the pending one replaces it; no
 * request is earlier than the current backoff allows.
 */
public final class Scheduler {
    /** Longest wait for a call's uploads before the follow-up call comes anyway. */
    public static final long PROGRESS_WAKE_CAP_MS = 600_000;

    private final SystemPolicy policy;
    private final SimRandom rng;
    private long next = Long.MAX_VALUE;
    private String nextReason = "";
    private long notBefore;
    private boolean wakeWhenUploadsEnd;
    private int consecutiveFailures;
    private int consecutiveKills;
    private int penalties;

    public Scheduler(SystemPolicy policy, SimRandom rng) {
        this.policy = policy;
        this.rng = rng;
    }

    /** Time of the pending activation, or {@link Long#MAX_VALUE}. */
    public long nextActivation() {
        return next;
    }

    public String nextReason() {
        return nextReason;
    }

    /** Takes the pending activation (the simulator is about to perform it); returns its reason. */
    public String take() {
        String reason = nextReason;
        next = Long.MAX_VALUE;
        nextReason = "";
        wakeWhenUploadsEnd = false;
        return reason;
    }

    /** Asks for an activation at {@code t} (or as soon after as backoff allows). */
    public void request(long t, String reason) {
        long at = Math.max(t, notBefore);
        if (at < next) {
            next = at;
            nextReason = reason;
        }
    }

    /** The extension was enabled at {@code now}. */
    public void enabled(long now) {
        request(now + policy.firstActivationDelayMs(), "enabled");
    }

    /** The library changed at {@code now}. */
    public void libraryChanged(long now) {
        request(now + policy.libraryChangeDelayMs(), "library-change");
    }

    /** The uploader has nothing left in flight or queued. */
    public void uploadsEnded(long now) {
        if (wakeWhenUploadsEnd) {
            wakeWhenUploadsEnd = false;
            request(now + policy.progressFollowUpMs(), "uploads-ended");
        }
    }

    /** A call returned {@code result} at {@code now}. */
    public void returned(ProcessingResult result, long now, boolean progress, boolean registeredTransfers,
            boolean uploaderIdle) {
        consecutiveKills = 0;
        switch (result) {
            case COMPLETED -> consecutiveFailures = 0;
            case PROCESSING -> {
                consecutiveFailures = 0;
                if (registeredTransfers && !uploaderIdle) {
                    wakeWhenUploadsEnd = true;
                    request(now + PROGRESS_WAKE_CAP_MS, "processing-wait-cap");
                } else if (registeredTransfers) {
                    // transfers registered but withheld (no network, low power): the call created work
                    request(now + policy.progressFollowUpMs(), "processing");
                } else if (progress) {
                    // only acknowledged or cancelled: "about 5 min later if not [created]" (reference §5,
                    // measured); the figure is the no-progress one
                    request(now + policy.noProgressFollowUpMs(), "processing-no-new-jobs");
                } else {
                    request(now + policy.noProgressFollowUpMs(), "processing-no-progress");
                }
            }
            case FAILURE -> failed(now);
        }
    }

    /** A call failed: returned FAILURE, threw, or the process could not start. */
    public void failed(long now) {
        consecutiveFailures++;
        long backoff = doubled(policy.failureBackoffMs(), consecutiveFailures);
        notBefore = Math.max(notBefore, now + backoff);
        reschedule();
        request(now + backoff, "after-failure");
    }

    /** The process was killed at {@code now}. */
    public void killed(long now) {
        consecutiveKills++;
        long base = rng.between(policy.killBackoffMinMs(), policy.killBackoffMaxMs());
        long backoff = doubled(base, consecutiveKills);
        notBefore = Math.max(notBefore, now + backoff);
        reschedule();
        request(now + backoff, "after-kill");
    }

    /** The 50008 penalty; returns the deferral applied. */
    public long penalize(long now) {
        penalties++;
        long deferral = doubled(policy.penaltyMs(), penalties);
        notBefore = Math.max(notBefore, now + deferral);
        reschedule();
        return deferral;
    }

    private void reschedule() {
        if (next != Long.MAX_VALUE && next < notBefore) {
            next = notBefore;
        }
    }

    private long doubled(long base, int repeat) {
        long value = base;
        for (int i = 1; i < repeat && value < policy.maxBackoffMs(); i++) {
            value *= 2;
        }
        return Math.min(value, Math.max(base, policy.maxBackoffMs()));
    }
}

package org.upcert.harness.plan;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;

/**
 * How the simulated system behaves: the scheduler's timings, the runtime limits, the network and
 * the device quirks. Defaults follow ../shared/reference/photokit-background-upload.md; values
 * tagged [3p-measured] there are tunables here. All times are virtual milliseconds.
 *
 * @param runtimeLimitMs per-call limit; exceeding it is a hard kill without notice (60 s, iOS 26.6)
 * @param terminationGraceMs time from a termination notice to the kill if the call has not returned
 * @param firstActivationDelayMs first call after enabling (~1 s measured)
 * @param libraryChangeDelayMs call after a library change (~3 s measured)
 * @param progressFollowUpMs after PROCESSING with progress: this long after the call's uploads end (~1 s)
 * @param noProgressFollowUpMs after PROCESSING without progress (~5 min measured)
 * @param failureBackoffMs first backoff after FAILURE or an escaped exception; doubles per repeat
 * @param killBackoffMinMs lower bound of the backoff after a kill (6 min measured)
 * @param killBackoffMaxMs upper bound of the backoff after a kill (11 min measured)
 * @param penaltyMs the 50008 deferral for presented jobs left unacknowledged (~300 s); doubles per repeat
 * @param maxBackoffMs cap for every doubling backoff
 * @param idleExitMs an idle process is ended (and its memory lost) after this long without a call
 * @param transferSlots concurrent transfers
 * @param uplinkKbps uplink bandwidth shared equally by the transfer slots, kbit/s
 * @param latencyMs one-way network latency
 * @param apiCallCostMs simulated time one library, storage or clock-free API call costs
 * @param changeCostMs extra simulated time per job change committed in a block
 * @param maxSimulatedMs hard stop of the run (bounded loops)
 * @param maxActivations hard stop of the run (bounded loops)
 * @param callWallTimeoutMs real time a call may run without returning before it is declared hung
 * @param payload what the uploader sends
 * @param nilResourceOnTerminalJobs device quirk (iOS 26.6): succeeded and retry-spent jobs have no resource
 * @param noticeAfterReturn device quirk (26.x): {@code willTerminate} after every normal return, instance kept
 * @param count204AsFailure device quirk (Nextcloud report): HTTP 204 marks the job failed
 * @param preventsExpensiveNetworkAccess {@code PHAssetResourceUploadJobOptions} (iOS 27)
 * @param fetchLagMinMs lower bound of the lag before one of the system's own job transitions shows
 *     in the fetch sets (100 ms; reference §2 [3p-measured] "0.1–5 s")
 * @param fetchLagMaxMs upper bound of that lag (5 s); 0 switches the lag off (transitions show at once)
 */
public record SystemPolicy(
        long runtimeLimitMs,
        long terminationGraceMs,
        long firstActivationDelayMs,
        long libraryChangeDelayMs,
        long progressFollowUpMs,
        long noProgressFollowUpMs,
        long failureBackoffMs,
        long killBackoffMinMs,
        long killBackoffMaxMs,
        long penaltyMs,
        long maxBackoffMs,
        long idleExitMs,
        int transferSlots,
        long uplinkKbps,
        long latencyMs,
        long apiCallCostMs,
        long changeCostMs,
        long maxSimulatedMs,
        int maxActivations,
        long callWallTimeoutMs,
        PayloadMode payload,
        boolean nilResourceOnTerminalJobs,
        boolean noticeAfterReturn,
        boolean count204AsFailure,
        boolean preventsExpensiveNetworkAccess,
        long fetchLagMinMs,
        long fetchLagMaxMs) {

    public SystemPolicy {
        if (runtimeLimitMs <= 0 || terminationGraceMs < 0 || transferSlots < 1 || uplinkKbps < 1
                || latencyMs < 0 || apiCallCostMs < 0 || changeCostMs < 0 || maxSimulatedMs <= 0
                || maxActivations < 1 || callWallTimeoutMs < 1 || killBackoffMaxMs < killBackoffMinMs
                || fetchLagMinMs < 0 || (fetchLagMaxMs > 0 && fetchLagMaxMs < fetchLagMinMs)) {
            throw new IllegalArgumentException("invalid system policy: " + this);
        }
    }

    /**
     * The simulator's own defaults: an iPhone on home Wi-Fi, no quirks. Profiles start from
     * {@link #defaultsFor(String)}, which adds the measured quirks of their OS level.
     */
    public static SystemPolicy defaults() {
        return new SystemPolicy(
                60_000, 5_000,
                1_000, 3_000, 1_000, 300_000,
                300_000, 360_000, 660_000, 300_000, 3_600_000,
                600_000,
                4, 40_000, 30,
                2, 1,
                7L * 24 * 3_600_000, 100_000,
                10_000,
                PayloadMode.COMPACT,
                false, false, false, false,
                100, 5_000);
    }

    /**
     * The defaults of a device on iOS {@code os}: {@link #defaults()}, with the quirks third
     * parties measured on iOS 26.x devices switched on at a 26.x level — a nil {@code resource}
     * on terminal jobs (measured on 26.6) and {@code willTerminate} after every normal return
     * (measured on 26.6, sync protocol). Counting a 204 as a failure stays off: it was reported
     * once, by an iOS 27 extension (Nextcloud), not measured on 26.x; a profile switches it on.
     * A profile's {@code system} section can still switch any quirk off explicitly.
     */
    public static SystemPolicy defaultsFor(String os) {
        SystemPolicy defaults = defaults();
        return os != null && os.startsWith("26.") ? defaults.withQuirks(true, true, false) : defaults;
    }

    /**
     * This policy moved from OS level {@code from} to {@code to}: each component still at the
     * defaults of {@code from} takes the defaults of {@code to}; a component a profile set on
     * purpose keeps its value. (A profile that set a value equal to its level's default cannot be
     * told apart from one that did not: it follows the level, which is what the defaults mean.)
     * Used when a run is raised to the extension's deployment target ({@link RunPlan#raisedTo}).
     */
    public SystemPolicy movedToLevel(String from, String to) {
        SystemPolicy oldDefaults = defaultsFor(from);
        SystemPolicy newDefaults = defaultsFor(to);
        SystemPolicy moved = this;
        for (RecordComponent component : SystemPolicy.class.getRecordComponents()) {
            try {
                Object mine = component.getAccessor().invoke(this);
                Object old = component.getAccessor().invoke(oldDefaults);
                Object target = component.getAccessor().invoke(newDefaults);
                if (mine.equals(old) && !old.equals(target)) {
                    moved = moved.with(component.getName(), target);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return moved;
    }

    public SystemPolicy withPayload(PayloadMode mode) {
        return with("payload", mode);
    }

    public SystemPolicy withCallWallTimeoutMs(long millis) {
        return with("callWallTimeoutMs", millis);
    }

    public SystemPolicy withQuirks(boolean nilResource, boolean noticeAfterReturn, boolean count204AsFailure) {
        return with("nilResourceOnTerminalJobs", nilResource).with("noticeAfterReturn", noticeAfterReturn)
                .with("count204AsFailure", count204AsFailure);
    }

    /** Whether the system's own job transitions show in the fetch sets only after a lag. */
    public boolean fetchLagOn() {
        return fetchLagMaxMs > 0;
    }

    /** The fetch-set lag switched off: the system's transitions show at once. */
    public SystemPolicy withoutFetchLag() {
        return with("fetchLagMaxMs", 0L);
    }

    public SystemPolicy withMaxSimulatedMs(long millis) {
        return with("maxSimulatedMs", millis);
    }

    /**
     * A copy with one component replaced, by name ({@code "runtimeLimitMs"}). One generic copy
     * instead of a hand-written wither per field: the record has 25 components, and profiles set
     * them by name anyway.
     *
     * @throws IllegalArgumentException for an unknown name, a value of the wrong type, or a
     *     policy the constructor rejects
     */
    public SystemPolicy with(String component, Object value) {
        RecordComponent[] components = SystemPolicy.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        boolean found = false;
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            try {
                values[i] = components[i].getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (components[i].getName().equals(component)) {
                values[i] = value;
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException("SystemPolicy has no component '" + component + "'");
        }
        try {
            return SystemPolicy.class.getDeclaredConstructor(types).newInstance(values);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof IllegalArgumentException iae ? iae : new IllegalArgumentException(e.getCause());
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot set " + component + " to " + value + ": " + e.getMessage(), e);
        }
    }
}

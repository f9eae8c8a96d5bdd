package org.upcert.conformance.rules;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.upcert.api.UploadError;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.Attempts.Attempt;

/**
 * When an extension was <em>justified</em> to give up on a resource: "given up after a failure
 * the extension could judge permanent". The one definition every checker uses (RTY-01, RTY-02,
 * RTY-03, and the fate model E2E-01, RES-01 … read), so no two rules can demand opposite
 * behaviour. Judged only on what the extension could observe on a device: the sanitized error
 * code, whether a response arrived (the job then has response headers), its {@code retry-after},
 * and the extension's own attempts and their times — never the HTTP status, unless the run
 * states the {@value #HTTP_STATUS} assumption.
 *
 * <p>A resource whose last attempt failed is justifiably given up when that last failure is
 * <ol>
 *   <li><b>final by the system's own word</b>: the destination is blocked by policy
 *       ({@code -1022}, outside {@code BackgroundUploadURLBase}) or the file no longer exists
 *       ({@code -1100}); or
 *   <li><b>a permanent status</b>, in a run that assumes {@value #HTTP_STATUS}: a 4xx other than
 *       401 (re-authenticate), 404 and 410 (session or upload gone: start again), 408 (timeout),
 *       409 and 416 (offset conflicts: resume), 425 and 429 (come back later), and not a refusal
 *       of a destination that had expired (the extension made it and knows its expiry: RTY-03
 *       asks for a fresh one); or
 *   <li><b>a persistent refusal</b>: the resource's attempts ended in at least
 *       {@value #MIN_REFUSALS} server-answered failures (a response arrived) without
 *       {@code retry-after}, the first and the last of them at least {@link #MIN_SPAN} apart in
 *       simulated time, and the last attempt is one of them. Without the status an extension
 *       cannot tell a 400 from a 503; a refusal that outlasts every burst a server has (the
 *       standard profiles' longest window of server errors is 10 minutes) is as permanent as it
 *       can know.
 * </ol>
 * Never justified: giving up after a network-level failure (no response: timeout, connection
 * lost, offline, cannot connect, an unparsable response), after a refusal that carried
 * {@code retry-after} (the server said when to come back), or after fewer or faster refusals.
 *
 * <p>On iOS 26.1 a failed job shows neither error nor headers: the extension cannot tell a
 * refusal from a dropped connection, so there (3) counts every failed attempt (a persistent
 * failure, {@value #MIN_REFUSALS} of them over {@link #MIN_SPAN}). Each failure is judged at the
 * OS level the device ran when it happened ({@link OutcomeVisibility}): after an
 * {@code os.upgrade} from 26.1, the failures that follow show error and headers.
 */
public final class GiveUp {

    /** The assumption, stated with {@code --assume http-status}, that the extension saw the HTTP status. */
    public static final String HTTP_STATUS = "http-status";
    /** Server-answered failures without {@code retry-after} a resource needs before it may be given up. */
    public static final int MIN_REFUSALS = 5;
    /** The simulated time those refusals must span, first to last. */
    public static final Duration MIN_SPAN = Duration.ofMinutes(30);

    private GiveUp() {
    }

    /**
     * Why giving up on {@code resourceKey} was justified in this run, or empty if it was not (or
     * the resource has no failed last attempt). Reads the whole trace; use {@link #justified(RunEvidence)}
     * for many resources.
     */
    public static Optional<String> justified(RunEvidence evidence, String resourceKey) {
        List<Attempt> attempts = Attempts.of(evidence).byResource().get(resourceKey);
        return attempts == null ? Optional.empty()
                : justified(attempts, evidence.assumptions(), OutcomeVisibility.of(evidence));
    }

    /**
     * Whether failed jobs showed the extension their error and headers at the run's <em>start</em>:
     * iOS 26.4 and later (not 26.1). A run with an {@code os.upgrade} changes it mid-run: judge a
     * failure with {@link OutcomeVisibility#of(RunEvidence)}.
     */
    public static boolean outcomesVisible(RunEvidence evidence) {
        return !startingOs(evidence).equals("26.1");
    }

    private static String startingOs(RunEvidence evidence) {
        return evidence.header() == null ? "" : evidence.header().path("workload").path("os").asText("26.4");
    }

    /**
     * Whether a failed job showed the extension its error and headers, by the OS level the device
     * ran at that failure: the header's {@code workload.os}, then each {@code os.upgrade}'s
     * {@code to} from its line on (a skipped upgrade changes nothing). Only iOS 26.1 hides them.
     */
    public static final class OutcomeVisibility {
        private static final OutcomeVisibility ALWAYS = new OutcomeVisibility(true, new TreeMap<>());
        private static final OutcomeVisibility NEVER = new OutcomeVisibility(false, new TreeMap<>());
        private final boolean atStart;
        /** Trace line of an os.upgrade → whether outcomes show from there on. */
        private final TreeMap<Integer, Boolean> fromLine;

        private OutcomeVisibility(boolean atStart, TreeMap<Integer, Boolean> fromLine) {
            this.atStart = atStart;
            this.fromLine = fromLine;
        }

        /** Outcomes always show (26.4 and later for the whole run). */
        public static OutcomeVisibility always() {
            return ALWAYS;
        }

        /** The same for the whole run: {@code visible}. */
        public static OutcomeVisibility constant(boolean visible) {
            return visible ? ALWAYS : NEVER;
        }

        /**
         * The run's levels: its starting OS and its {@code os.upgrade} lines. A reading of the evidence,
         * made once per run: RTY-01..04, the fates and the replay each asked for it, a walk over every
         * event each time.
         */
        public static OutcomeVisibility of(RunEvidence evidence) {
            return evidence.derived(OutcomeVisibility.class, OutcomeVisibility::read);
        }

        private static OutcomeVisibility read(RunEvidence evidence) {
            TreeMap<Integer, Boolean> changes = new TreeMap<>();
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("os.upgrade") && !event.fields().has("skipped") && event.fields().has("to")) {
                    changes.put(event.line(), !event.text("to").equals("26.1"));
                }
            }
            boolean start = outcomesVisible(evidence);
            return changes.isEmpty() ? constant(start) : new OutcomeVisibility(start, changes);
        }

        /** Whether the failure (or any event) at {@code event}'s line showed error and headers. */
        public boolean at(TraceEvent event) {
            if (fromLine.isEmpty() || event == null) {
                return atStart;
            }
            Map.Entry<Integer, Boolean> upgrade = fromLine.floorEntry(event.line());
            return upgrade == null ? atStart : upgrade.getValue();
        }
    }

    /**
     * Every resource whose last attempt failed and whose giving up was justified, with why
     * (sorted by resource key).
     */
    public static TreeMap<String, String> justified(RunEvidence evidence) {
        return justified(Attempts.of(evidence), evidence.assumptions(), OutcomeVisibility.of(evidence));
    }

    static TreeMap<String, String> justified(Attempts attempts, Set<String> assumptions, OutcomeVisibility outcomesVisible) {
        TreeMap<String, String> result = new TreeMap<>();
        for (Map.Entry<String, List<Attempt>> entry : attempts.byResource().entrySet()) {
            justified(entry.getValue(), assumptions, outcomesVisible).ifPresent(why -> result.put(entry.getKey(), why));
        }
        return result;
    }

    /** {@link #justified(List, Set, boolean)} in a run whose failed jobs show error and headers (26.4+). */
    static Optional<String> justified(List<Attempt> attempts, Set<String> assumptions) {
        return justified(attempts, assumptions, true);
    }

    /**
     * The core: why giving up on a resource after {@code attempts} (in order) was justified
     * under {@code assumptions} (the run's, {@link RunEvidence#assumptions()}), or empty;
     * {@code outcomesVisible} is false on iOS 26.1 ({@link #outcomesVisible(RunEvidence)}).
     */
    static Optional<String> justified(List<Attempt> attempts, Set<String> assumptions, boolean outcomesVisible) {
        return justified(attempts, assumptions, OutcomeVisibility.constant(outcomesVisible));
    }

    /**
     * As {@link #justified(List, Set, boolean)}, each failure judged at the OS level of its own
     * time ({@code visibility}): what the extension could see of that failure.
     */
    static Optional<String> justified(List<Attempt> attempts, Set<String> assumptions, OutcomeVisibility visibility) {
        if (attempts.isEmpty()) {
            return Optional.empty();
        }
        Attempt last = attempts.get(attempts.size() - 1);
        if (!last.failed()) {
            return Optional.empty();
        }
        TraceEvent failure = last.end();
        long code = failure.number("code");
        if (!Attempts.answered(failure) && (code == UploadError.BLOCKED_BY_POLICY || code == UploadError.FILE_DOES_NOT_EXIST)) {
            return Optional.of("the system reported error " + code + " (" + failure.text("reason") + "): final");
        }
        if (assumptions.contains(HTTP_STATUS) && Attempts.permanentStatus(failure)) {
            return Optional.of("HTTP " + failure.number("status") + " is permanent (assumption " + HTTP_STATUS + ")");
        }
        boolean outcomesVisible = visibility.at(failure);
        if (outcomesVisible && (!Attempts.answered(failure) || Attempts.hasRetryAfter(failure) || Attempts.successStatus(failure))) {
            return Optional.empty();
        }
        int refusals = 0;
        long first = -1;
        for (Attempt attempt : attempts) {
            if (attempt.failed() && (!visibility.at(attempt.end()) || (Attempts.answered(attempt.end())
                    && !Attempts.hasRetryAfter(attempt.end()) && !Attempts.successStatus(attempt.end())))) {
                refusals++;
                if (first < 0) {
                    first = attempt.end().t();
                }
            }
        }
        long span = failure.t() - first;
        if (refusals >= MIN_REFUSALS && span >= MIN_SPAN.toMillis()) {
            return Optional.of(refusals + (outcomesVisible ? " refusals without retry-after" : " failures (iOS 26.1 shows no more)")
                    + " over " + span / 60_000 + " min");
        }
        return Optional.empty();
    }

    /** Why giving up would not be justified yet, for messages: what the extension had seen. */
    static String notYet(List<Attempt> attempts) {
        int refusals = 0;
        long first = -1;
        long lastT = -1;
        for (Attempt attempt : attempts) {
            if (attempt.failed() && Attempts.answered(attempt.end()) && !Attempts.hasRetryAfter(attempt.end())
                    && !Attempts.successStatus(attempt.end())) {
                refusals++;
                if (first < 0) {
                    first = attempt.end().t();
                }
                lastT = attempt.end().t();
            }
        }
        return refusals == 0 ? "no refusal by the server"
                : refusals + " refusals without retry-after over " + (lastT - first) / 1000 + " s (giving up needs "
                        + MIN_REFUSALS + " over " + MIN_SPAN.toMinutes() + " min)";
    }
}

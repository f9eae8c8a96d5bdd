package org.upcert.conformance.rules;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.upcert.api.UploadError;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.Attempts.Attempt;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/**
 * The RTY rules (retries), judged on each resource's attempts ({@link Attempts}: every
 * {@code job.create} and {@code job.retry} for it, with the system's outcome) and on what the
 * extension could observe of each failure on a device: whether a response arrived (the job then
 * has response headers; no response is a <em>network-level</em> failure: timeout, connection
 * lost, offline, cannot connect), its sanitized code ({@code -1013} authentication required,
 * {@code -1022} blocked, {@code -1100} file gone), its {@code retry-after}, and its own
 * attempts and their times. The HTTP status is judged only in a run that assumes it
 * ({@link GiveUp#HTTP_STATUS}). When giving up on a resource is justified is decided in one
 * place, {@link GiveUp}.
 *
 * <p>A <em>refusal</em> below is a server-answered failure without {@code retry-after} that is
 * not a 2xx reported as failed (a device quirk: the bytes are stored).
 */
public final class RetryRules {
    /** RTY-02: an attempt after this many refusals in a row of one resource is a loop. */
    public static final int LOOP_REFUSALS = 20;
    /** RTY-02: after this many refusals in a row, the next attempt must wait {@link #MIN_SPACING}. */
    public static final int SPACED_AFTER = 3;
    /** RTY-02: the least wait, from a refusal to the next attempt, once {@link #SPACED_AFTER} refusals came in a row. */
    public static final java.time.Duration MIN_SPACING = java.time.Duration.ofMinutes(1);

    private RetryRules() {
    }

    /** RTY-01 … RTY-04. */
    public static List<RuleChecker> all() {
        return List.of(new FailuresUploadedLater(), new RefusalsNotLooped(),
                new ExpiredDestinationsRenewed(), new RetryAfterHonoured());
    }

    /** A server-answered failure without retry-after, not a 2xx reported as failed. */
    static boolean refusal(TraceEvent failed) {
        return Attempts.answered(failed) && !Attempts.hasRetryAfter(failed) && !Attempts.successStatus(failed);
    }

    /**
     * A server-answered failure without retry-after, a 2xx reported as failed included: what the
     * extension sees is the same. RTY-02's bound and spacing count these.
     */
    static boolean answeredWithoutRetryAfter(TraceEvent failed) {
        return Attempts.answered(failed) && !Attempts.hasRetryAfter(failed);
    }

    /**
     * Whether the run showed the extension outcome fields (error, headers), failure by failure: iOS
     * 26.4 and later, at the OS level the device ran at that failure (an {@code os.upgrade} changes it).
     */
    static GiveUp.OutcomeVisibility outcomeFieldsVisible(RunEvidence evidence) {
        return GiveUp.OutcomeVisibility.of(evidence);
    }

    /**
     * RTY-01 (liveness, judged at the end of the run, after the recovery phase): a failed
     * attempt leads to the resource being uploaded later — a retry, or a new job once the retry
     * is spent or the wait is over — unless giving up on it was justified ({@link GiveUp}).
     * Network-level failures and refusals carrying {@code retry-after} are never a reason to give
     * up; a burst of server errors (a 5xx window) is not either: it must not lose a photo.
     * <em>Exercised</em> by a failed attempt (other than an expired destination, RTY-03's, and a
     * 2xx reported as failed) of a resource still in the library at the end. <em>Violated</em>
     * by such a resource whose last attempt failed and was followed by nothing, no job for it
     * ever succeeded, and giving up was not justified. (Whether the bytes arrived is E2E-01's
     * business; a resource deleted meanwhile is E2E-03's.) A resource over the dialect's request
     * cap (fate {@code INELIGIBLE}: no request can carry it) is left out, as by every liveness rule;
     * one whose bytes are in the cloud (fate {@code UPLOADED}, e.g. stored by an attempt whose response
     * was lost, its resend refused as already received) is never a violation: nothing is left to upload.
     */
    static final class FailuresUploadedLater extends MustRule {
        FailuresUploadedLater() {
            super("RTY-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int failures = 0;
            TraceEvent firstAbandoned = null;
            String abandonedResource = null;
            String abandonedWhy = null;
            int abandoned = 0;
            Set<String> assumptions = evidence.assumptions();
            GiveUp.OutcomeVisibility visible = outcomeFieldsVisible(evidence);
            ResourceFates fates = ResourceFates.of(evidence);
            java.util.SortedSet<String> ineligible = fates.withFate(ResourceFates.Fate.INELIGIBLE);
            java.util.SortedSet<String> inTheCloud = fates.withFate(ResourceFates.Fate.UPLOADED); // nothing left to upload
            for (Map.Entry<String, List<Attempt>> entry : Attempts.of(evidence).byResource().entrySet()) {
                if (!evidence.liveResources().contains(entry.getKey()) || ineligible.contains(entry.getKey())) {
                    continue;
                }
                List<Attempt> attempts = entry.getValue();
                boolean everSucceeded = false;
                for (Attempt attempt : attempts) {
                    if (attempt.failed() && judged(attempt.end())) {
                        failures++;
                    }
                    everSucceeded |= attempt.succeeded() || (attempt.failed() && Attempts.successStatus(attempt.end()));
                }
                Attempt last = attempts.get(attempts.size() - 1);
                if (!everSucceeded && last.failed() && judged(last.end()) && !inTheCloud.contains(entry.getKey())
                        && GiveUp.justified(attempts, assumptions, visible).isEmpty()) {
                    abandoned++;
                    if (firstAbandoned == null || last.end().line() < firstAbandoned.line()) {
                        firstAbandoned = last.end();
                        abandonedResource = entry.getKey();
                        abandonedWhy = GiveUp.notYet(attempts);
                    }
                }
            }
            if (failures == 0) {
                return Verdict.notExercised(ruleId(), "no failed upload of a resource still in the library");
            }
            if (firstAbandoned != null) {
                return Verdict.fail(ruleId(), abandoned + " resources never tried again after a failure that did not justify "
                        + "giving up, first " + abandonedResource + " (" + firstAbandoned.text("job") + ": "
                        + Attempts.outcome(firstAbandoned) + "; " + abandonedWhy + ")", evidence.excerptEndingAt(firstAbandoned, 5));
            }
            return Verdict.pass(ruleId(), failures + " failures, each followed by another attempt or a justified give-up");
        }

        /** RTY-01 judges every failure but an expired destination (RTY-03) and a 2xx reported as failed. */
        private static boolean judged(TraceEvent failed) {
            return !Attempts.successStatus(failed) && !Attempts.expiredDestination(failed);
        }
    }

    /**
     * RTY-02: a refusal (a server-answered failure without {@code retry-after}) is never retried
     * in an unbounded loop. <em>Exercised</em> by a refusal. <em>Violated</em>, at the first
     * offending event, by:
     * <ol>
     *   <li>the identical request sent again after a refusal: a retry of the refused job with its
     *       original destination ({@code retry(job, nil)}). The extension cannot tell a 400 from
     *       a 503 by what a device shows; a refusal may be caused by the request itself (stale
     *       credentials, an expired URL, a gone session), so a new attempt carries a fresh
     *       destination. Not judged on iOS 26.1 (the job shows neither error nor headers) and,
     *       in a run assuming {@code http-status}, not after 408, 429 or 5xx;
     *   <li>no spacing: once {@value #SPACED_AFTER} refusals of a resource came in a row, an
     *       attempt that starts less than {@link #MIN_SPACING} after the refusal before it —
     *       except a fresh destination right after an authentication failure ({@code -1013}) or
     *       an expired destination (RTY-03). Not judged on iOS 26.1, where a refusal cannot be
     *       told from a dropped connection, which may be retried at once;
     *   <li>no bound: an attempt after {@value #LOOP_REFUSALS} refusals of the resource in a row
     *       (giving up is justified long before, {@link GiveUp});
     *   <li>at the end of the run, a refused job neither acknowledged nor retried.
     * </ol>
     * "In a row" counts the resource's refusals since its last success or the last change of
     * server (host.server) between two of its attempts: the server the account moved to has
     * refused nothing yet (explore:244 on NextcloudStyle, which starts the new account afresh: three
     * refusals by the old server, the first by the new one, and the PhotoKit retry 2 s later, were
     * judged a fourth refusal in a row retried without spacing). Network-level failures between
     * them neither count nor break the row. The spacing counts no authentication failure
     * ({@code -1013}): it refuses the credentials, not the request, and its remedy, new credentials,
     * may come at once (above); the bound counts it. (explore:846 on the bundled sample: two -1013
     * on a resource, 42 minutes later its first 413, a new job 24 s after it, judged "refusal 3 in
     * a row" without the minute; the sample spaces its own refusals 5 s, 20 s, 80 s, then 4 min.)
     */
    static final class RefusalsNotLooped extends MustRule {
        RefusalsNotLooped() {
            super("RTY-02");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int refusals = 0;
            int reportedFailed2xx = 0; // a 2xx reported as failed: the same situation from the device (bound, spacing)
            TraceEvent first = null;
            String why = null;
            GiveUp.OutcomeVisibility visible = outcomeFieldsVisible(evidence);
            boolean statusAssumed = evidence.assumptions().contains(GiveUp.HTTP_STATUS);
            java.util.TreeSet<Integer> serverChanges = new java.util.TreeSet<>();
            for (TraceEvent event : evidence.events()) {
                if (ServerChanges.changed(event)) {
                    serverChanges.add(event.line());
                }
            }
            for (Map.Entry<String, List<Attempt>> entry : Attempts.of(evidence).byResource().entrySet()) {
                List<Attempt> attempts = entry.getValue();
                int inRow = 0;
                int spacedRow = 0; // inRow without the authentication failures: what (b) counts
                for (int i = 0; i < attempts.size(); i++) {
                    Attempt attempt = attempts.get(i);
                    if (i > 0) {
                        Attempt previous = attempts.get(i - 1);
                        Integer change = serverChanges.higher(previous.start().line());
                        if (change != null && change < attempt.start().line()) {
                            inRow = 0; // the account moved: the old server's refusals say nothing of the new one
                            spacedRow = 0;
                        }
                        String message = null;
                        if (previous.failed() && answeredWithoutRetryAfter(previous.end())) {
                            TraceEvent refused = previous.end();
                            long gap = attempt.start().t() - refused.t();
                            boolean freshAfterStaleness = attempt.freshDestination()
                                    && (refused.number("code") == UploadError.USER_AUTHENTICATION_REQUIRED
                                            || Attempts.expiredDestination(refused));
                            if (refusal(refused) && visible.at(refused) && attempt.isRetry() && attempt.job().equals(previous.job())
                                    && !attempt.freshDestination() && !(statusAssumed && transientStatus(refused))) {
                                message = attempt.job() + " for " + entry.getKey() + " was retried with its original destination "
                                        + "after the server refused it (" + Attempts.outcome(refused) + ")";
                            } else if (inRow >= LOOP_REFUSALS) {
                                message = entry.getKey() + " was tried again (" + attempt.job() + ") after " + inRow
                                        + " refusals in a row, last " + Attempts.outcome(refused);
                            } else if (visible.at(refused) && spacedRow >= SPACED_AFTER && gap < MIN_SPACING.toMillis()
                                    && !freshAfterStaleness) {
                                message = entry.getKey() + " was tried again (" + attempt.job() + ") " + gap / 1000 + " s after refusal "
                                        + spacedRow + " in a row (" + Attempts.outcome(refused) + "); after "
                                        + SPACED_AFTER + " refusals attempts must be at least " + MIN_SPACING.toSeconds()
                                        + " s apart";
                            }
                        }
                        if (message != null && (first == null || attempt.start().line() < first.line())) {
                            first = attempt.start();
                            why = message;
                        }
                    }
                    // A 2xx the system reported as failed stored the bytes, but the extension saw a
                    // server-answered failure like any other: trying again and again is the same loop
                    // (and re-uploads stored bytes each time), so it counts towards the bound and the
                    // spacing; only a success the device saw ends the row.
                    if (attempt.succeeded()) {
                        inRow = 0;
                        spacedRow = 0;
                    } else if (attempt.failed() && answeredWithoutRetryAfter(attempt.end())) {
                        if (refusal(attempt.end())) {
                            refusals++;
                        } else {
                            reportedFailed2xx++;
                        }
                        inRow++;
                        if (attempt.end().number("code") != UploadError.USER_AUTHENTICATION_REQUIRED) {
                            spacedRow++;
                        }
                    }
                }
            }
            if (refusals == 0 && reportedFailed2xx == 0 && first == null) {
                return Verdict.notExercised(ruleId(), "no failure the server answered without retry-after");
            }
            if (first != null) {
                return Verdict.fail(ruleId(), why, evidence.excerptEndingAt(first, 5));
            }
            // Every refused job is acknowledged (or was retried, judged above).
            java.util.TreeMap<String, TraceEvent> unresolved = new java.util.TreeMap<>();
            for (TraceEvent event : evidence.events()) {
                switch (event.name()) {
                    case "job.failed" -> {
                        if (refusal(event)) {
                            unresolved.put(event.text("job"), event);
                        }
                    }
                    case "job.ack", "job.retry" -> unresolved.remove(event.text("job"));
                    default -> {
                    }
                }
            }
            if (!unresolved.isEmpty()) {
                TraceEvent event = unresolved.values().stream().min((a, b) -> Integer.compare(a.line(), b.line())).orElseThrow();
                return Verdict.fail(ruleId(), event.text("job") + " was refused by the server (" + Attempts.outcome(event)
                        + ") and never acknowledged", evidence.excerptEndingAt(event, 5));
            }
            return Verdict.pass(ruleId(), refusals + " refusals" + (reportedFailed2xx > 0 ? " and " + reportedFailed2xx
                    + " 2xx reported as failed" : "") + ", none resent as is, attempts bounded and spaced, all acknowledged");
        }

        private static boolean transientStatus(TraceEvent failed) {
            long status = failed.number("status");
            return status == 408 || status == 429 || (status >= 500 && status < 600);
        }
    }

    /**
     * RTY-03: a failure caused by an expired destination is retried with a fresh destination,
     * never the stale one. The extension made the destination, so it knows when it expires (a
     * presigned URL's {@code X-Amz-Expires}, a token's {@code expires_in}, a session's
     * {@code expirationDateTime}); the trace marks the refusal as expired by the cloud stub's
     * reason ({@code cloud} on {@code job.failed}: S3's 403 "Request has expired", generic-put's
     * 401 "token expired", an expired upload session, an injected 403, which the fault catalogue
     * plays as an expired destination). <em>Exercised</em> by such a failure. <em>Violated</em> by:
     * <ol>
     *   <li>a retry of the job with its original destination ({@code retry(job, nil)}), or a
     *       retry or new job whose URL is the expired one and carries its credentials in the
     *       query (a presigned URL: the same URL is the same expired signature) or was refused
     *       as an expired URL ({@link Attempts#expiredUrl}: a OneDrive upload session, whose URL
     *       is pre-authenticated: the same URL is the same gone session);
     *   <li>at the end of the run, a resource still in the library whose last attempt failed
     *       with an expired destination and was followed by nothing (no job for it ever
     *       succeeded), unless giving up was justified ({@link GiveUp}).
     * </ol>
     * The trace does not show request headers, so a bearer-token destination given again with
     * the same URL but new headers counts as fresh, as it is.
     */
    static final class ExpiredDestinationsRenewed extends MustRule {
        ExpiredDestinationsRenewed() {
            super("RTY-03");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int expired = 0;
            TraceEvent first = null;
            String why = null;
            Set<String> assumptions = evidence.assumptions();
            GiveUp.OutcomeVisibility visible = outcomeFieldsVisible(evidence);
            // Bytes in the cloud (e.g. the host app uploaded it itself, host.upload): nothing left to try again.
            java.util.SortedSet<String> inTheCloud = ResourceFates.of(evidence).withFate(ResourceFates.Fate.UPLOADED);
            for (Map.Entry<String, List<Attempt>> entry : Attempts.of(evidence).byResource().entrySet()) {
                List<Attempt> attempts = entry.getValue();
                boolean everSucceeded = false;
                for (int i = 0; i < attempts.size(); i++) {
                    Attempt attempt = attempts.get(i);
                    everSucceeded |= attempt.succeeded();
                    if (attempt.failed() && Attempts.expiredDestination(attempt.end())) {
                        expired++;
                    }
                    if (i == 0) {
                        continue;
                    }
                    Attempt previous = attempts.get(i - 1);
                    if (!previous.failed() || !Attempts.expiredDestination(previous.end())) {
                        continue;
                    }
                    boolean sameJobNoNewDestination = attempt.isRetry() && attempt.job().equals(previous.job())
                            && !attempt.freshDestination();
                    boolean sameExpiredUrl = attempt.freshDestination() && attempt.url().equals(previous.url())
                            && (attempt.url().contains("?") || Attempts.expiredUrl(previous.end()));
                    if ((sameJobNoNewDestination || sameExpiredUrl) && (first == null || attempt.start().line() < first.line())) {
                        first = attempt.start();
                        why = entry.getKey() + ": " + attempt.job() + " was " + (attempt.isRetry() ? "retried" : "created")
                                + " with the stale destination after " + previous.job() + " failed with "
                                + Attempts.outcome(previous.end());
                    }
                }
                Attempt last = attempts.get(attempts.size() - 1);
                if (first == null && !everSucceeded && !inTheCloud.contains(entry.getKey())
                        && evidence.liveResources().contains(entry.getKey()) && last.failed()
                        && Attempts.expiredDestination(last.end()) && GiveUp.justified(attempts, assumptions, visible).isEmpty()) {
                    first = last.end();
                    why = entry.getKey() + " was never tried again after " + last.job() + " failed with "
                            + Attempts.outcome(last.end());
                }
            }
            if (expired == 0) {
                return Verdict.notExercised(ruleId(), "no failure caused by an expired destination");
            }
            if (first != null) {
                return Verdict.fail(ruleId(), why, evidence.excerptEndingAt(first, 5));
            }
            return Verdict.pass(ruleId(), expired + " expired destinations, each renewed before the next attempt");
        }
    }

    /**
     * RTY-04 (SHOULD, a figure): {@code Retry-After} is honoured. For every {@code job.failed}
     * that carried a {@code retryAfter} (delta seconds or an HTTP date, read against the virtual
     * clock), the resource's next attempt (a retry of the job or a new job for the resource) is
     * <em>early</em> if it started before the failure's time plus the Retry-After. Figure: early
     * attempts ÷ attempts that followed a Retry-After (0% is best). <em>Exercised</em> by at
     * least one attempt following a Retry-After; NOT_EXERCISED otherwise. Never FAIL.
     */
    static final class RetryAfterHonoured extends ShouldRule {
        /** Virtual time 0 (docs/trace.md). */
        private static final Instant EPOCH = Instant.parse("2026-01-05T08:00:00Z");

        RetryAfterHonoured() {
            super("RTY-04");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int followed = 0;
            int early = 0;
            String firstEarly = null;
            for (Map.Entry<String, List<Attempt>> entry : Attempts.of(evidence).byResource().entrySet()) {
                List<Attempt> attempts = entry.getValue();
                for (int i = 1; i < attempts.size(); i++) {
                    Attempt previous = attempts.get(i - 1);
                    if (!previous.failed() || !previous.end().fields().has("retryAfter")) {
                        continue;
                    }
                    OptionalLong wait = waitMillis(previous.end());
                    if (wait.isEmpty()) {
                        continue;
                    }
                    followed++;
                    Attempt next = attempts.get(i);
                    if (next.start().t() < previous.end().t() + wait.getAsLong()) {
                        early++;
                        if (firstEarly == null) {
                            firstEarly = entry.getKey() + " (" + next.job() + " " + (next.start().t() - previous.end().t()) / 1000
                                    + " s after a Retry-After of " + wait.getAsLong() / 1000 + " s)";
                        }
                    }
                }
            }
            if (followed == 0) {
                return Verdict.notExercised(ruleId(), "no attempt followed a failure with Retry-After");
            }
            return Verdict.measured(ruleId(), Figure.ratio("attempts before Retry-After elapsed", early, followed),
                    early + " of " + followed + " attempts after a Retry-After started before it elapsed"
                            + (firstEarly == null ? "" : ", first " + firstEarly));
        }

        private static OptionalLong waitMillis(TraceEvent failed) {
            String value = failed.text("retryAfter").strip();
            try {
                return OptionalLong.of(Math.max(0, Long.parseLong(value)) * 1000);
            } catch (NumberFormatException notSeconds) {
                try {
                    Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    return OptionalLong.of(Math.max(0, Duration.between(EPOCH.plusMillis(failed.t()), at).toMillis()));
                } catch (DateTimeParseException notDate) {
                    return OptionalLong.empty();
                }
            }
        }
    }
}

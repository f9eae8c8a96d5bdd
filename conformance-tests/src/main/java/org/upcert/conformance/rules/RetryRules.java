package org.upcert.conformance.rules;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.Attempts.Attempt;
import org.upcert.conformance.rules.Attempts.Failure;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/**
 * The RTY rules (retries), judged on each resource's attempts ({@link Attempts}: every
 * {@code job.create} and {@code job.retry} for it, with the system's outcome) and on what a
 * {@code job.failed} means ({@link Attempts#classify}: transient, expired destination,
 * permanent). The failure classes need what the device never sees: the cloud stub's reason for a
 * refusal ({@code cloud} on {@code job.failed}) and the {@code retryAfter} it answered.
 */
public final class RetryRules {
    private RetryRules() {
    }

    /** RTY-01 … RTY-04. */
    public static List<RuleChecker> all() {
        return List.of(new TransientFailuresUploadedLater(), new PermanentFailuresNotLooped(),
                new ExpiredDestinationsRenewed(), new RetryAfterHonoured());
    }


    /**
     * RTY-01 (liveness, judged at the end of the run, after the recovery phase): a transient
     * failure (timeout, lost connection, offline, 408, 429, 5xx) leads to the resource being
     * uploaded later. <em>Exercised</em> by a transient {@code job.failed} of a resource still in
     * the library at the end. <em>Violated</em> by such a resource whose last attempt failed
     * transiently and was followed by nothing: no retry of the job, no new job, and no job for it
     * ever succeeded — the extension gave up on a resource the network only delayed. (Whether
     * the bytes arrived is E2E-01's business; a resource deleted meanwhile is E2E-03's.)
     */
    static final class TransientFailuresUploadedLater extends MustRule {
        TransientFailuresUploadedLater() {
            super("RTY-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int transients = 0;
            TraceEvent firstAbandoned = null;
            String abandonedResource = null;
            int abandoned = 0;
            for (Map.Entry<String, List<Attempt>> entry : Attempts.of(evidence).byResource().entrySet()) {
                if (!evidence.liveResources().contains(entry.getKey())) {
                    continue;
                }
                List<Attempt> attempts = entry.getValue();
                boolean everSucceeded = false;
                for (Attempt attempt : attempts) {
                    if (attempt.failed() && Attempts.classify(attempt.end()) == Failure.TRANSIENT) {
                        transients++;
                    }
                    everSucceeded |= attempt.succeeded()
                            || (attempt.failed() && Attempts.classify(attempt.end()) == Failure.SUCCESS_STATUS);
                }
                Attempt last = attempts.get(attempts.size() - 1);
                if (!everSucceeded && last.failed() && Attempts.classify(last.end()) == Failure.TRANSIENT) {
                    abandoned++;
                    if (firstAbandoned == null || last.end().line() < firstAbandoned.line()) {
                        firstAbandoned = last.end();
                        abandonedResource = entry.getKey();
                    }
                }
            }
            if (transients == 0) {
                return Verdict.notExercised(ruleId(), "no transient failure of a resource still in the library");
            }
            if (firstAbandoned != null) {
                return Verdict.fail(ruleId(), abandoned + " resources never tried again after a transient failure, first "
                        + abandonedResource + " (" + firstAbandoned.text("job") + ": " + Attempts.outcome(firstAbandoned)
                        + ")", evidence.excerptEndingAt(firstAbandoned, 5));
            }
            return Verdict.pass(ruleId(), transients + " transient failures, each followed by another attempt");
        }
    }

    /**
     * RTY-02: a permanent failure ({@link Attempts#classify}: a 4xx that is not 408, 429 or an
     * expired destination, e.g. 400, 401 or 403 not expired, 413; a destination blocked by policy;
     * a file that no longer exists) is acknowledged and not retried in a loop. <em>Exercised</em>
     * by a permanent {@code job.failed}. <em>Violated</em>, at the first offending event, by:
     * <ol>
     *   <li>a retry of a permanently failed job with its original destination
     *       ({@code retry(job, nil)}): the identical request can only be refused again;
     *   <li>a loop: an attempt (retry or new job) for a resource whose last two attempts both
     *       failed permanently with the same outcome (same status and the same refusal by the
     *       cloud). One further attempt after a permanent failure is allowed — with fresh
     *       credentials, say — a third identical refusal in a row is not;
     *   <li>at the end of the run, a permanently failed job neither acknowledged nor retried.
     * </ol>
     */
    static final class PermanentFailuresNotLooped extends MustRule {
        PermanentFailuresNotLooped() {
            super("RTY-02");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int permanent = 0;
            TraceEvent first = null;
            String why = null;
            for (Map.Entry<String, List<Attempt>> entry : Attempts.of(evidence).byResource().entrySet()) {
                List<Attempt> attempts = entry.getValue();
                for (int i = 0; i < attempts.size(); i++) {
                    Attempt attempt = attempts.get(i);
                    if (attempt.failed() && Attempts.classify(attempt.end()) == Failure.PERMANENT) {
                        permanent++;
                    }
                    if (i == 0) {
                        continue;
                    }
                    Attempt previous = attempts.get(i - 1);
                    if (!previous.failed() || Attempts.classify(previous.end()) != Failure.PERMANENT) {
                        continue;
                    }
                    String message = null;
                    if (attempt.isRetry() && attempt.job().equals(previous.job()) && !attempt.freshDestination()) {
                        message = attempt.job() + " for " + entry.getKey() + " was retried with its original destination after "
                                + Attempts.outcome(previous.end());
                    } else if (i >= 2) {
                        Attempt before = attempts.get(i - 2);
                        if (before.failed() && Attempts.classify(before.end()) == Failure.PERMANENT
                                && Attempts.outcome(before.end()).equals(Attempts.outcome(previous.end()))) {
                            message = entry.getKey() + " was tried a third time (" + attempt.job() + ") after two attempts in a row "
                                    + "failed with " + Attempts.outcome(previous.end());
                        }
                    }
                    if (message != null && (first == null || attempt.start().line() < first.line())) {
                        first = attempt.start();
                        why = message;
                    }
                }
            }
            if (permanent == 0) {
                return Verdict.notExercised(ruleId(), "no permanent failure");
            }
            if (first != null) {
                return Verdict.fail(ruleId(), why, evidence.excerptEndingAt(first, 5));
            }
            // Every permanently failed job is acknowledged (or was retried, judged above).
            java.util.TreeMap<String, TraceEvent> unresolved = new java.util.TreeMap<>();
            for (TraceEvent event : evidence.events()) {
                switch (event.name()) {
                    case "job.failed" -> {
                        if (Attempts.classify(event) == Failure.PERMANENT) {
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
                return Verdict.fail(ruleId(), event.text("job") + " failed permanently (" + Attempts.outcome(event)
                        + ") and was never acknowledged", evidence.excerptEndingAt(event, 5));
            }
            return Verdict.pass(ruleId(), permanent + " permanent failures, none retried in a loop, all acknowledged");
        }
    }

    /**
     * RTY-03: a failure caused by an expired destination is retried with a fresh destination,
     * never the stale one. An expired destination is a refusal the cloud stub gave as expired
     * ({@code cloud} on {@code job.failed}: S3's 403 "Request has expired", generic-put's 401
     * "token expired" — the bearer token in the destination's headers is what expired —, an
     * expired upload session, an injected 403, which the fault catalogue plays as an expired
     * destination). <em>Exercised</em> by such a failure. <em>Violated</em> by:
     * <ol>
     *   <li>a retry of the job with its original destination ({@code retry(job, nil)}), or a
     *       retry or new job whose URL is the expired one and carries its credentials in the
     *       query (a presigned URL: the same URL is the same expired signature);
     *   <li>at the end of the run, a resource still in the library whose last attempt failed
     *       with an expired destination and was followed by nothing (no job for it ever
     *       succeeded).
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
            for (Map.Entry<String, List<Attempt>> entry : Attempts.of(evidence).byResource().entrySet()) {
                List<Attempt> attempts = entry.getValue();
                boolean everSucceeded = false;
                for (int i = 0; i < attempts.size(); i++) {
                    Attempt attempt = attempts.get(i);
                    everSucceeded |= attempt.succeeded();
                    if (attempt.failed() && Attempts.classify(attempt.end()) == Failure.EXPIRED_DESTINATION) {
                        expired++;
                    }
                    if (i == 0) {
                        continue;
                    }
                    Attempt previous = attempts.get(i - 1);
                    if (!previous.failed() || Attempts.classify(previous.end()) != Failure.EXPIRED_DESTINATION) {
                        continue;
                    }
                    boolean sameJobNoNewDestination = attempt.isRetry() && attempt.job().equals(previous.job())
                            && !attempt.freshDestination();
                    boolean samePresignedUrl = attempt.freshDestination() && attempt.url().equals(previous.url())
                            && attempt.url().contains("?");
                    if ((sameJobNoNewDestination || samePresignedUrl) && (first == null || attempt.start().line() < first.line())) {
                        first = attempt.start();
                        why = entry.getKey() + ": " + attempt.job() + " was " + (attempt.isRetry() ? "retried" : "created")
                                + " with the stale destination after " + previous.job() + " failed with "
                                + Attempts.outcome(previous.end());
                    }
                }
                Attempt last = attempts.get(attempts.size() - 1);
                if (first == null && !everSucceeded && evidence.liveResources().contains(entry.getKey()) && last.failed()
                        && Attempts.classify(last.end()) == Failure.EXPIRED_DESTINATION) {
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

package org.upcert.conformance.styles.cleanroom;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.UploadError;

/**
 * How a finished job is read and what happens next. Written from what a device shows (reference
 * §1.2): a sanitized NSURLErrorDomain code and the lowercased response headers, no HTTP status.
 *
 * <ul>
 *   <li>no response (no headers): the network; try again soon, never give up;</li>
 *   <li>{@code retry-after}: come back when the server said (at most 20 minutes later);</li>
 *   <li>an answer refusing a URL this extension knows has expired by now: presign a longer-lived one;</li>
 *   <li>any other answer: a refusal. The first is retried at once with a fresh URL (it may be the
 *       URL's fault); then 15 s, 90 s, 3, 6 and 10 minutes between attempts; given up only after 6
 *       refusals in a row spanning at least 35 minutes (a burst of server errors must not lose a photo);</li>
 *   <li>-1100 (the file no longer exists): the asset is gone; -1022 (outside the URL base): final.</li>
 * </ul>
 */
final class Policy {
    static final long MAX_RETRY_AFTER_MS = 20 * 60_000L;
    static final long MAX_EXPIRES = 604_800L;
    static final int GIVE_UP_REFUSALS = 6;
    static final long GIVE_UP_SPAN_MS = 35 * 60_000L;

    enum Kind { OK, NETWORK, RETRY_AFTER, EXPIRED, AUTH, REFUSED, FILE_GONE, BLOCKED }

    /** A reading of a finished job. */
    record Reading(Kind kind, long retryAfterUntil) {
    }

    /** The decision for a finished job. */
    record Decision(Book.Status afterAck, long notBefore, boolean retryNow, int refusalsInRow, long firstRefusalAt,
            int networkInRow, boolean lengthenUrls) {
    }

    private Policy() {
    }

    /**
     * Reads a failed job. {@code error} and {@code headers} are empty on iOS 26.1 (the fields do not
     * exist there): every failure then reads as a refusal unless the URL has expired by now.
     */
    static Reading readFailure(Optional<UploadError> error, Optional<SortedMap<String, String>> headers, boolean urlExpiredByNow,
            long now) {
        int code = error.map(UploadError::code).orElse(Integer.MIN_VALUE);
        if (code == UploadError.FILE_DOES_NOT_EXIST) {
            return new Reading(Kind.FILE_GONE, 0);
        }
        if (code == UploadError.BLOCKED_BY_POLICY) {
            return new Reading(Kind.BLOCKED, 0);
        }
        boolean answered = headers.isPresent() && !headers.get().isEmpty();
        if (error.isPresent() && !answered && code != UploadError.USER_AUTHENTICATION_REQUIRED) {
            return new Reading(Kind.NETWORK, 0);
        }
        if (answered) {
            String retryAfter = headers.get().get("retry-after");
            if (retryAfter != null) {
                return new Reading(Kind.RETRY_AFTER, now + Math.min(MAX_RETRY_AFTER_MS, retryAfterMillis(retryAfter.trim(), now)));
            }
        }
        if (urlExpiredByNow) {
            return new Reading(Kind.EXPIRED, 0);
        }
        if (code == UploadError.USER_AUTHENTICATION_REQUIRED) {
            return new Reading(Kind.AUTH, 0);
        }
        return new Reading(Kind.REFUSED, 0);
    }

    static Decision decide(Book.Entry e, Reading reading, long now, boolean canRetry) {
        int refusals = e.refusalsInRow;
        long first = e.firstRefusalAt;
        int network = e.networkInRow;
        switch (reading.kind()) {
            case OK:
                return new Decision(Book.Status.DONE, 0, false, 0, 0, 0, false);
            case FILE_GONE:
                return new Decision(Book.Status.GONE, 0, false, refusals, first, network, false);
            case BLOCKED:
                return new Decision(Book.Status.GAVE_UP, 0, false, refusals, first, network, false);
            case NETWORK: {
                network++;
                long delay = network <= 1 ? 0 : Math.min(10 * 60_000L, 5_000L << Math.min(10, network - 2));
                return new Decision(Book.Status.TODO, now + delay, canRetry && delay == 0, refusals, first, network, false);
            }
            case RETRY_AFTER: {
                boolean now0 = reading.retryAfterUntil() <= now;
                return new Decision(Book.Status.TODO, reading.retryAfterUntil(), canRetry && now0, refusals, first, network, false);
            }
            case EXPIRED:
                return new Decision(Book.Status.TODO, now, canRetry, refusals, first, network, true);
            case AUTH:
            case REFUSED:
            default: {
                refusals++;
                if (refusals == 1) {
                    first = now;
                }
                if ((refusals >= GIVE_UP_REFUSALS && now - first >= GIVE_UP_SPAN_MS) || refusals >= 19) {
                    return new Decision(Book.Status.GAVE_UP, 0, false, refusals, first, network, false);
                }
                long delay = switch (refusals) {
                    case 1 -> 0;
                    case 2 -> 15_000L;
                    case 3 -> 90_000L;
                    case 4 -> 180_000L;
                    case 5 -> 360_000L;
                    default -> 600_000L;
                };
                if (reading.kind() == Kind.AUTH) {
                    delay = refusals <= 2 ? 0 : delay;
                }
                return new Decision(Book.Status.TODO, now + delay, canRetry && delay == 0, refusals, first, network, false);
            }
        }
    }

    static long retryAfterMillis(String value, long now) {
        try {
            return Math.max(0, Long.parseLong(value) * 1000L);
        } catch (NumberFormatException notSeconds) {
            try {
                long at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
                return Math.max(0, at - now);
            } catch (RuntimeException notADate) {
                return 60_000L;
            }
        }
    }
}

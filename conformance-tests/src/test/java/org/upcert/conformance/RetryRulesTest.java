package org.upcert.conformance;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RTY-01 … RTY-04 on the bundled sample: it fails none of them on any standard profile, and
 * each is exercised where its profile says. RTY-03 is exercised on the default generic-put cloud
 * too: an expired bearer token (401 "token expired") is an expired destination, and
 * {@code expired-urls}' injected 403s are played as expired destinations.
 */
class RetryRulesTest {
    private static final List<String> RULES = List.of("RTY-01", "RTY-02", "RTY-03", "RTY-04");

    @Test
    @DisplayName("the sample fails no RTY rule on any standard profile (generic-put, seeds 1..3)")
    void sampleNeverFails() throws Exception {
        SampleVerdicts.neverFails(RULES, "generic-put");
    }

    @Test
    @DisplayName("the sample fails no RTY rule against S3 presigned URLs on the profiles with expiring or failing destinations")
    void sampleNeverFailsOnS3() throws Exception {
        for (String profile : List.of("expired-urls", "cloud-errors", "flaky-network")) {
            for (long seed : SampleVerdicts.SEEDS) {
                for (String rule : RULES) {
                    org.junit.jupiter.api.Assertions.assertFalse(
                            SampleVerdicts.of(profile, seed, "s3-presigned").get(rule).failed(),
                            profile + " seed " + seed + ": " + SampleVerdicts.of(profile, seed, "s3-presigned").get(rule));
                }
            }
        }
    }

    // RTY-01 on a resource over the dialect's request cap (dropbox termination-storm seed 3, a 461 MB
    // video) is judged by SessionDialectsAcceptanceTest on its own run of that cell.

    @Test
    @DisplayName("RTY-01 leaves out a resource whose bytes are in the cloud: onedrive lost-responses, a resend refused 416 "
            + "(fragment already received) after the first answer was lost, which the sample records as stored")
    void resourcesInTheCloudAreLeftOut() throws Exception {
        var verdict = SampleVerdicts.of("lost-responses", 1, "onedrive").get("RTY-01");
        org.junit.jupiter.api.Assertions.assertFalse(verdict.failed(), verdict.toString());
    }

    @Test
    @DisplayName("RTY-01 is exercised by flaky-network, cloud-errors and lost-responses")
    void transientFailures() throws Exception {
        SampleVerdicts.exercisedBy("RTY-01", "flaky-network", "generic-put");
        SampleVerdicts.exercisedBy("RTY-01", "cloud-errors", "generic-put");
        SampleVerdicts.exercisedBy("RTY-01", "lost-responses", "generic-put");
        SampleVerdicts.notExercisedBy("RTY-01", "baseline", "generic-put");
    }

    @Test
    @DisplayName("RTY-02 is exercised by cloud-errors (its 401 window)")
    void permanentFailures() throws Exception {
        SampleVerdicts.exercisedBy("RTY-02", "cloud-errors", "generic-put");
        SampleVerdicts.notExercisedBy("RTY-02", "baseline", "generic-put");
    }

    @Test
    @DisplayName("RTY-03 is exercised by expired-urls on generic-put (expired tokens) and on s3-presigned (expired URLs)")
    void expiredDestinations() throws Exception {
        SampleVerdicts.exercisedBy("RTY-03", "expired-urls", "generic-put");
        SampleVerdicts.exercisedBy("RTY-03", "expired-urls", "s3-presigned");
        SampleVerdicts.notExercisedBy("RTY-03", "baseline", "generic-put");
    }

    @Test
    @DisplayName("RTY-04 reports a figure on cloud-errors (429 with Retry-After)")
    void retryAfter() throws Exception {
        SampleVerdicts.exercisedBy("RTY-04", "cloud-errors", "generic-put");
        org.junit.jupiter.api.Assertions.assertEquals(0.0,
                SampleVerdicts.of("cloud-errors", 1, "generic-put").get("RTY-04").figure().value(),
                "the sample waits out a Retry-After of 120 s (it caps waits at 4 min)");
    }
}

package org.upcert.conformance.testing;

import java.util.TreeSet;
import org.upcert.harness.run.RunOptions;

/**
 * A cloud as tests name it: a dialect, optionally followed by {@code +assumption} (e.g.
 * {@code google-photos+body-in-headers}: the lenient stub that repeats the upload token in a
 * header, docs/cloud.md). Without a suffix the stub is strict, as {@code certify} runs it.
 */
public final class CloudSpec {
    private CloudSpec() {
    }

    /** The lenient suffix: {@code dialect + LENIENT} runs the stub with body-borne values in headers. */
    public static final String LENIENT = "+" + RunOptions.ASSUME_BODY_IN_HEADERS;

    /** {@code options} against the cloud {@code spec} names, with its assumptions. */
    public static RunOptions apply(RunOptions options, String spec) {
        String[] parts = spec.split("\\+");
        TreeSet<String> assumptions = new TreeSet<>(options.assumptions());
        for (int i = 1; i < parts.length; i++) {
            assumptions.add(parts[i]);
        }
        return options.withCloud(parts[0]).withAssumptions(assumptions);
    }
}

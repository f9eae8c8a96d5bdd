package org.upcert.conformance.suite;

/** The suite was configured wrongly (unknown profile, missing jar, bad seed list): a usage error. */
public final class SuiteConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SuiteConfigException(String message) {
        super(message);
    }
}

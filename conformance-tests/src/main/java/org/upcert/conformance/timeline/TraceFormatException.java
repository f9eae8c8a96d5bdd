package org.upcert.conformance.timeline;

/** The input is not an upcert trace (no {@code upcert-trace/1} header, or a line that is not JSON). */
public final class TraceFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public TraceFormatException(String message) {
        super(message);
    }
}

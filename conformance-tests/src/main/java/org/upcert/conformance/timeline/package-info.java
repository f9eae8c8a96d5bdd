/**
 * The timeline picture of one run, for people debugging a flaky edge case: a self-contained SVG
 * and HTML page drawn from the trace alone (activations as bars, job counts by state, fault
 * windows, network and power bands, library churn, the violating event marked).
 *
 * <p>{@link org.upcert.conformance.timeline.Timeline} reads a trace into what the picture needs;
 * {@link org.upcert.conformance.timeline.TimelineRenderer} draws it. Like the checkers, the
 * timeline reads only the trace, never the simulator, and the same trace gives the same bytes.
 */
package org.upcert.conformance.timeline;

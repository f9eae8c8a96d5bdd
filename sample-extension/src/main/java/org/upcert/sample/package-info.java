/**
 * The reference upload extension: what a correct Background Resource Upload extension does,
 * written to be copied. It depends on {@code org.upcert.api} and the JDK only.
 *
 * <p>One class, one job:
 * <ul>
 *   <li>{@link org.upcert.sample.SampleUploadExtension}: the entry point (flags, memory, no
 *       exception escapes);
 *   <li>{@link org.upcert.sample.ProcessingRound}: one call, in the order the system expects
 *       (consent, discovery, retry, acknowledge, create, result), with
 *       {@link org.upcert.sample.Retrier}, {@link org.upcert.sample.Acknowledger} and
 *       {@link org.upcert.sample.JobCreator} doing the three job steps;
 *   <li>{@link org.upcert.sample.Ledger}: what happened to every resource, durable in the app
 *       group (snapshot + append-only journal, safe against a kill between any two storage
 *       calls);
 *   <li>{@link org.upcert.sample.Discovery}: which resources exist, from persistent change
 *       tokens;
 *   <li>{@link org.upcert.sample.FailureClassifier} and {@link org.upcert.sample.RetryPolicy}:
 *       what a failed job means — judged on what a device shows: the sanitized code and the
 *       response headers, never an HTTP status — and when to try again or give up;
 *   <li>{@link org.upcert.sample.JobIdentity}: which resource a job belongs to, even when the
 *       system no longer says;
 *   <li>{@link org.upcert.sample.CloudDialect} and its implementations: the server's protocol
 *       ({@code cloud.dialect} in the configuration).
 * </ul>
 *
 * <p>Nothing here reads the wall clock, draws random numbers, starts a thread or iterates a
 * hash-ordered collection: the same library and the same faults give the same calls.
 */
package org.upcert.sample;

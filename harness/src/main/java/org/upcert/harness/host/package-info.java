/**
 * How an extension is found, loaded and called: extension sources (a jar in its own class
 * loader via {@link java.util.ServiceLoader}, or a class on the test class path), processes
 * (an instance with its threads; a kill makes a fresh one), the per-call
 * {@link org.upcert.api.ExtensionContext} that charges simulated time, enforces the runtime
 * limit, delivers termination notices and refuses late calls, and the app-group storage.
 */
package org.upcert.harness.host;

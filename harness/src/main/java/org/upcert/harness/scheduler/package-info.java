/**
 * When the system calls the extension: device conditions (network, power, thermal) and the
 * scheduler's policy for activations, follow-ups, backoff and penalties.
 */
package org.upcert.harness.scheduler;

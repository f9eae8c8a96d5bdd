/**
 * The system's uploader and the simulated network: real HTTP on loopback to the job's
 * destination, with duration and failure computed in virtual time from the network conditions.
 */
package org.upcert.harness.upload;

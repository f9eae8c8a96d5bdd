/**
 * Replay: a trace's header holds everything its run was made of (seed, plan, policy, workload,
 * cloud, harness version, extension SHA-256), so the run can be made again and its new trace
 * compared with the old one byte for byte.
 */
package org.upcert.harness.replay;

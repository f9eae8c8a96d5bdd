/**
 * The simulated photo library: assets and their resources with realistic sizes, the persistent
 * change history with its tokens, consent state, and the deterministic payload of every
 * resource (so the cloud stub can verify every byte by SHA-256).
 */
package org.upcert.harness.library;

/**
 * Shrinking a failing run to its smallest fault plan that still fails the same rule (jqwik's
 * loop over strategies, Zeller's delta debugging for the fault list), and writing the result as a
 * standalone profile with the plan pinned, which an author can commit as a regression test.
 */
package org.upcert.conformance.shrink;

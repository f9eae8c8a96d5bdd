/**
 * The simulated PhotoKit background-upload system and everything that runs an extension
 * against it. Sub-packages, in the order data flows: {@code faults.profile} (declarative profiles expanded into plans), {@code plan} (what a run will do),
 * {@code sim} (virtual time, seeded randomness, the event queue), {@code library},
 * {@code jobs}, {@code scheduler}, {@code upload} (the simulated system), {@code faults} (executing a plan's faults inside it), {@code cloud} (WireMock
 * stubs), {@code host} (how an extension is loaded and called), {@code trace} (the record of a
 * run), {@code run} (wiring one run end to end) and {@code cli} (a thin face over {@code run}).
 */
package org.upcert.harness;

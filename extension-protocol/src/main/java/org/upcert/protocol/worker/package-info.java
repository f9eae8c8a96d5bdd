/**
 * The JVM worker: a process of its own that hosts a Java extension jar for the harness and
 * speaks the extension protocol to it. Each simulated launch is a fresh class loader and thread
 * group inside the worker; the harness replaces the whole worker when a generation leaves threads
 * behind, when it crashes, or when a call outlives its wall bound. A security manager reports
 * (and refuses) what an extension must not do: exit the process, write files, open sockets,
 * start processes, or start threads without bound.
 */
package org.upcert.protocol.worker;

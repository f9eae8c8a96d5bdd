/**
 * The upcert Maven plugin: {@code upcert:certify} certifies the project's built jar at {@code verify}
 * and fails the build unless it is CERTIFIED. The mojo runs upcert's own {@code certify} command in a
 * JVM of its own (never in Maven's), which hosts the extension in its worker process as the command
 * line does; the options, the bundle and the verdicts are the command line's.
 */
package org.upcert.maven;

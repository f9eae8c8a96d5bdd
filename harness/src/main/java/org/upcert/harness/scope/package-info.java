/**
 * What an extension declares it uploads ({@link org.upcert.harness.scope.DeclaredScope}): which
 * resource types, and a size above which the host app takes a file over. Read from
 * {@value org.upcert.harness.scope.DeclaredScope#JAR_ENTRY} in the extension's jar, or from a
 * file named with {@code --scope}, before any run ({@link org.upcert.harness.scope.ScopeFile});
 * recorded in the trace header, where the checkers read it.
 */
package org.upcert.harness.scope;

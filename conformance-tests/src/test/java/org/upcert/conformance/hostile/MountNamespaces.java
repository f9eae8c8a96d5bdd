package org.upcert.conformance.hostile;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Whether this machine lets an unprivileged process have user and mount namespaces of its own:
 * where it does, upcert gives every extension process a read-only view with a bounded scratch
 * folder (docs/isolation.md); where it does not, the hostile tests that depend on it are skipped,
 * never passed.
 */
final class MountNamespaces {
    private MountNamespaces() {
    }

    static boolean available() {
        try {
            Process probe = new ProcessBuilder("/usr/bin/unshare", "--user", "--map-root-user", "--mount", "/bin/true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(5, TimeUnit.SECONDS) && probe.exitValue() == 0; // a bounded real wait
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

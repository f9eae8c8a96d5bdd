package org.upcert.harness.upload;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether the system may send to a destination: it must lie under {@code BackgroundUploadURLBase}
 * (same scheme, host and port; path under the base path) and, in the harness, on loopback, so a
 * test can never send traffic off the machine. The reference leaves open whether a shared prefix
 * is enough; upcert takes the strict reading.
 */
public final class DestinationPolicy {
    private final URI base;
    private final java.util.List<URI> others = new java.util.concurrent.CopyOnWriteArrayList<>();

    public DestinationPolicy(URI base) {
        this.base = base;
    }

    /**
     * Admits {@code other} too: the base of the server a host app's build also knows (host.server:
     * upcert decides that the app's {@code BackgroundUploadURLBase} covers every server it can move
     * the user to, docs/simulator.md).
     */
    public void admit(URI other) {
        others.add(other);
    }

    /** Empty if allowed, else why not (the refusal under the first base when no base admits it). */
    public Optional<String> refusal(URI destination) {
        Optional<String> first = refusal(base, destination);
        if (first.isEmpty()) {
            return first;
        }
        for (URI other : others) {
            if (refusal(other, destination).isEmpty()) {
                return Optional.empty();
            }
        }
        return first;
    }

    private static Optional<String> refusal(URI base, URI destination) {
        if (!destination.isAbsolute() || destination.getHost() == null) {
            return Optional.of("not an absolute URL: " + destination);
        }
        if (!eq(base.getScheme(), destination.getScheme()) || !eq(base.getHost(), destination.getHost())
                || port(base) != port(destination)) {
            return Optional.of("outside BackgroundUploadURLBase (origin differs)");
        }
        String basePath = base.getRawPath() == null ? "/" : base.getRawPath();
        String path = destination.getRawPath() == null ? "/" : destination.getRawPath();
        if (!path.startsWith(basePath)) {
            return Optional.of("outside BackgroundUploadURLBase (path not under " + basePath + ")");
        }
        String host = destination.getHost();
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("[::1]")) {
            return Optional.of("not a loopback address");
        }
        return Optional.empty();
    }

    private static boolean eq(String a, String b) {
        return a != null && b != null && a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}

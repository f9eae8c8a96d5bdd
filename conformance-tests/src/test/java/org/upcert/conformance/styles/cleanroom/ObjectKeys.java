package org.upcert.conformance.styles.cleanroom;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The S3 object key of a resource, and the way back from a job's destination to the resource.
 *
 * <p>PhotoKit keeps a job's destination in every state (its {@code resource} may be nil), so the
 * object key is the job's identity: {@code photos/<base64url(resource key)>}. The same resource
 * always goes to the same key: a PUT overwrites, so a second upload never makes a second object.
 */
final class ObjectKeys {
    static final String PREFIX = "photos/";

    private ObjectKeys() {
    }

    static String objectKey(String resourceKey) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(resourceKey.getBytes(StandardCharsets.UTF_8));
    }

    /** The resource key a presigned destination names, if it is one of ours. */
    static Optional<String> resourceKeyOf(URI destination) {
        if (destination == null) {
            return Optional.empty();
        }
        String path = destination.getRawPath();
        if (path == null) {
            return Optional.empty();
        }
        int at = path.lastIndexOf("/" + PREFIX);
        if (at < 0) {
            return Optional.empty();
        }
        String encoded = path.substring(at + 1 + PREFIX.length());
        if (encoded.isEmpty() || encoded.contains("/")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

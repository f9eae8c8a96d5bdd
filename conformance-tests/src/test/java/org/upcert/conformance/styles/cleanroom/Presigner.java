package org.upcert.conformance.styles.cleanroom;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.upcert.api.CloudSettings;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.UploadRequest;

/**
 * Asks the app's backend to presign a PUT for an object key (docs/cloud.md, s3-presigned): a POST
 * with the app's client credentials as Basic auth, answered with {@code {"url":…,"expiresIn":…}}.
 */
final class Presigner {
    private static final Pattern URL = Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES = Pattern.compile("\"expiresIn\"\\s*:\\s*(\\d+)");

    /** A presigned destination and how long it lives. */
    record Presigned(UploadRequest request, long expiresInSeconds) {
    }

    /** Why no URL came back. */
    enum Trouble { NONE, UNREACHABLE, REFUSED, CREDENTIALS }

    private final ExtensionHttp http;
    private final CloudSettings settings;
    private Trouble trouble = Trouble.NONE;

    Presigner(ExtensionHttp http, CloudSettings settings) {
        this.http = http;
        this.settings = settings;
    }

    Trouble trouble() {
        return trouble;
    }

    Optional<Presigned> presign(String objectKey, long expiresInSeconds) {
        Optional<URI> endpoint = settings.presignUrl();
        if (endpoint.isEmpty()) {
            trouble = Trouble.CREDENTIALS;
            return Optional.empty();
        }
        String basic = Base64.getEncoder().encodeToString(
                (settings.clientId() + ":" + settings.clientSecret()).getBytes(StandardCharsets.UTF_8));
        UploadRequest request = UploadRequest.post(endpoint.get())
                .withHeader("Authorization", "Basic " + basic)
                .withHeader("Content-Type", "application/json");
        String body = "{\"key\":\"" + objectKey + "\",\"expiresIn\":" + expiresInSeconds + "}";
        ExtensionHttp.Response response;
        try {
            response = http.send(request, body);
        } catch (ExtensionHttp.TransportException e) {
            trouble = Trouble.UNREACHABLE;
            return Optional.empty();
        }
        if (response.status() == 401 || response.status() == 403) {
            trouble = Trouble.CREDENTIALS;
            return Optional.empty();
        }
        if (!response.isSuccessful()) {
            trouble = response.status() >= 500 || response.status() == 429 ? Trouble.UNREACHABLE : Trouble.REFUSED;
            return Optional.empty();
        }
        String text = response.bodyText();
        Matcher url = URL.matcher(text);
        if (!url.find()) {
            trouble = Trouble.UNREACHABLE;
            return Optional.empty();
        }
        Matcher expires = EXPIRES.matcher(text);
        long granted = expires.find() ? Long.parseLong(expires.group(1)) : expiresInSeconds;
        try {
            URI uri = new URI(url.group(1).replace("\\/", "/"));
            return Optional.of(new Presigned(UploadRequest.put(uri), granted));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            trouble = Trouble.UNREACHABLE;
            return Optional.empty();
        }
    }
}

package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.upcert.api.AssetResource;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/** The sample's s3-presigned dialect against a scripted presign backend. */
class S3PresignedDialectTest {

    private static final URI BASE = URI.create("http://127.0.0.1:8080/s3/");
    private static final AssetResource PHOTO = new AssetResource("5E1B0C3A-1111/L0/001",
            AssetResource.ResourceType.PHOTO, "IMG 0042+1.HEIC", "public.heic", 2_400_000);
    private static final DateTimeFormatter AMZ = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private int presigned;

    /** A backend that presigns like the harness stub: key segments percent-encoded once more. */
    private ScriptedContext context() {
        ScriptedContext[] holder = new ScriptedContext[1];
        holder[0] = new ScriptedContext(BASE, (request, body) -> {
            if (!request.header("Authorization").equals(Optional.of("Basic dXBjZXJ0LXNhbXBsZTpzM2NyZXQ="))) {
                return ScriptedContext.response(401, "{\"error\":\"invalid_client\"}");
            }
            String key = JsonFields.parse(body).get("key");
            StringBuilder path = new StringBuilder();
            for (String segment : key.split("/")) {
                path.append('/').append(PathSegments.encode(segment));
            }
            presigned++;
            String url = "http://127.0.0.1:8080/s3/photos-bucket" + path + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date="
                    + AMZ.format(holder[0].clock.instant()) + "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=" + presigned;
            return ScriptedContext.response(200, "{\"url\":\"" + url + "\",\"method\":\"PUT\",\"expiresIn\":900}");
        });
        holder[0].configuration.putAll(new TreeMap<>(java.util.Map.of("cloud.dialect", "s3-presigned",
                "cloud.clientId", "upcert-sample", "cloud.clientSecret", "s3cret")));
        return holder[0];
    }

    private static S3PresignedDialect dialect(ScriptedContext context) {
        return (S3PresignedDialect) CloudDialects.fromConfiguration(context.configuration);
    }

    @Test
    void destinationIsAFreshlyPresignedPut() throws Exception {
        ScriptedContext context = context();
        UploadRequest destination = dialect(context).destinationFor(PHOTO, context);
        assertEquals("PUT", destination.method());
        assertTrue(destination.url().toString().startsWith(
                "http://127.0.0.1:8080/s3/photos-bucket/photos/5E1B0C3A-1111%252FL0%252F001/PHOTO/IMG%25200042%252B1.HEIC?"),
                destination.url().toString());
        assertEquals(Optional.of("image/heic"), destination.header("Content-Type"));
        assertEquals(Optional.of(PHOTO.key()), destination.header(JobIdentity.RESOURCE_KEY_HEADER));
        assertEquals(Optional.empty(), destination.header("Authorization"), "the URL carries the authorization");
        assertEquals(1, context.sent.size());
        assertEquals("POST http://127.0.0.1:8080/s3/backend/presign", context.sent.get(0).request().method() + " "
                + context.sent.get(0).request().url());
        assertEquals("{\"key\":\"photos/5E1B0C3A-1111%2FL0%2F001/PHOTO/IMG%200042%2B1.HEIC\"}", context.sent.get(0).body());
    }

    @Test
    void theResourceKeyIsReadBackFromThePresignedUrl() throws Exception {
        ScriptedContext context = context();
        S3PresignedDialect dialect = dialect(context);
        UploadRequest destination = dialect.destinationFor(PHOTO, context);
        assertEquals(Optional.of(PHOTO.key()), dialect.resourceKeyFromUrl(destination.url(), BASE));
        assertEquals(Optional.empty(), dialect.resourceKeyFromUrl(URI.create("http://127.0.0.1:8080/s3/x/y"), BASE));
    }

    @Test
    void freshDestinationPresignsAgainAndKeepsTheHeaders() throws Exception {
        ScriptedContext context = context();
        S3PresignedDialect dialect = dialect(context);
        UploadRequest first = dialect.destinationFor(PHOTO, context);
        context.clock.advance(Duration.ofMinutes(20));
        UploadRequest fresh = dialect.freshDestination(first, context);
        assertNotEquals(first.url(), fresh.url(), "never the stale URL (RTY-03)");
        assertEquals(first.url().getRawPath(), fresh.url().getRawPath(), "same object");
        assertEquals(first.headers(), fresh.headers());
        assertEquals(2, context.sent.size());
    }

    @Test
    void aRetryReusesAValidUrlButNotOneAboutToExpire() throws Exception {
        ScriptedContext context = context();
        S3PresignedDialect dialect = dialect(context);
        UploadRequest first = dialect.destinationFor(PHOTO, context);
        context.clock.advance(Duration.ofMinutes(5));
        assertEquals(Optional.empty(), dialect.destinationForRetry(first, context));
        context.clock.advance(Duration.ofMinutes(9)); // 14 min: expires within the minute
        Optional<UploadRequest> replaced = dialect.destinationForRetry(first, context);
        assertTrue(replaced.isPresent());
        assertNotEquals(first.url(), replaced.get().url());
    }

    @Test
    void presignFailures() {
        ScriptedContext context = context();
        context.configuration.put("cloud.clientSecret", "wrong");
        CloudUnavailableException refused = assertThrows(CloudUnavailableException.class,
                () -> dialect(context).destinationFor(PHOTO, context));
        assertTrue(refused.permanent());
        ScriptedContext down = context();
        down.server = (request, body) -> null;
        assertTrue(!assertThrows(CloudUnavailableException.class, () -> dialect(down).destinationFor(PHOTO, down)).permanent());
        down.server = (request, body) -> ScriptedContext.response(503, "");
        assertTrue(!assertThrows(CloudUnavailableException.class, () -> dialect(down).destinationFor(PHOTO, down)).permanent());
        down.server = (request, body) -> ScriptedContext.response(200, "{\"url\":\"relative/only\"}");
        assertTrue(!assertThrows(CloudUnavailableException.class, () -> dialect(down).destinationFor(PHOTO, down)).permanent());
    }

    @Test
    void aRefusalOfAUrlWeKnowHasExpiredIsAnExpiredDestination() throws Exception {
        ScriptedContext context = context();
        S3PresignedDialect dialect = dialect(context);
        UploadRequest destination = dialect.destinationFor(PHOTO, context);
        java.time.Instant expiry = S3PresignedDialect.expiryOf(destination.url()).orElseThrow();
        UploadJob refused = new FailureClassifierTest.Job(destination, java.util.Optional.of(new java.util.TreeMap<>()),
                java.util.Optional.of(org.upcert.api.UploadError.httpStatus(403).withoutHttpStatus()));
        assertEquals(FailureKind.REFUSED, dialect.classify(refused, expiry.minusSeconds(1)), "still valid: a refusal");
        assertEquals(FailureKind.DESTINATION_EXPIRED, dialect.classify(refused, expiry), "past X-Amz-Date + X-Amz-Expires");
    }
}

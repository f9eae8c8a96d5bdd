package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadRequest;

class GenericPutDialectTest {

    private static final AssetResource PHOTO = new AssetResource("5E1B0C3A-1111-2222-3333-444455556666/L0/001",
            AssetResource.ResourceType.PHOTO, "IMG 0042+1.HEIC", "public.heic", 2_400_000);

    private final FakeSystem system = new FakeSystem();

    /** Runs {@code body} as if inside a call (the fake refuses use outside one). */
    private <T> T inCall(java.util.function.Function<ExtensionContext, T> body) {
        Object[] result = new Object[1];
        system.call(new org.upcert.api.UploadExtension() {
            @Override
            public ProcessingResult processJobs(ExtensionContext context) {
                result[0] = body.apply(context);
                return ProcessingResult.COMPLETED;
            }

            @Override
            public void willTerminate() {
            }
        });
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    private static GenericPutDialect dialect() {
        return (GenericPutDialect) CloudDialects.fromConfiguration(new FakeSystem().configuration);
    }

    private UploadRequest destination(GenericPutDialect dialect, AssetResource resource) {
        return inCall(context -> {
            try {
                return dialect.destinationFor(resource, context);
            } catch (CloudUnavailableException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void destinationHasTheDocumentedUrlAndHeaders() {
        UploadRequest destination = destination(dialect(), PHOTO);
        assertEquals("PUT", destination.method());
        assertEquals(URI.create("http://127.0.0.1:8080/dav/files/5E1B0C3A-1111-2222-3333-444455556666%2FL0%2F001/PHOTO/"
                + "IMG%200042%2B1.HEIC"), destination.url());
        TreeMap<String, String> expected = new TreeMap<>();
        expected.put("Authorization", "Bearer tok-001");
        expected.put("Content-Type", "image/heic");
        expected.put("X-Resource-Key", "5E1B0C3A-1111-2222-3333-444455556666/L0/001#PHOTO");
        assertEquals(expected, destination.headers());
        assertEquals(List.of("POST http://127.0.0.1:8080/dav/auth/token"), system.http.requests);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5E1B0C3A-1111-2222-3333-444455556666/L0/001", "plain", "with space/and#hash", "Ünïcødé/L0/001"})
    void keyRoundTripsThroughTheDestinationHeaderAndUrl(String assetId) {
        GenericPutDialect dialect = dialect();
        for (AssetResource.ResourceType type : AssetResource.ResourceType.values()) {
            AssetResource resource = new AssetResource(assetId, type, "IMG_0001.X", "public.data", 1);
            UploadRequest destination = destination(dialect, resource);
            assertEquals(Optional.of(resource.key()), JobIdentity.fromDestination(destination, dialect, FakeSystem.BASE));
            // Without the header (a dialect that replaced the headers): the URL path still says.
            UploadRequest bare = new UploadRequest(destination.url(), "PUT", new TreeMap<>());
            assertEquals(Optional.of(resource.key()), dialect.resourceKeyFromUrl(bare.url(), FakeSystem.BASE));
            assertEquals(Optional.of(resource.key()), JobIdentity.fromDestination(bare, dialect, FakeSystem.BASE));
        }
    }

    @Test
    void urlsOutsideTheLayoutAreNotMistakenForResources() {
        GenericPutDialect dialect = dialect();
        for (String url : List.of("http://127.0.0.1:8080/other/files/a/PHOTO/x", "http://127.0.0.1:8080/dav/files/a/PHOTO",
                "http://127.0.0.1:8080/dav/files/a/SELFIE/x", "http://127.0.0.1:8080/dav/files/a/PHOTO/x/y",
                "http://127.0.0.1:8080/dav/files//PHOTO/x", "http://127.0.0.1:8080/dav/files/%C3/PHOTO/x")) {
            assertEquals(Optional.empty(), dialect.resourceKeyFromUrl(URI.create(url), FakeSystem.BASE), url);
        }
    }

    @Test
    void jobIdentityFallsBackFromResourceToDestinationToAssetResourceToUrl() {
        GenericPutDialect dialect = dialect();
        UploadRequest destination = destination(dialect, PHOTO);
        system.library.add(new org.upcert.api.Asset(PHOTO.assetLocalIdentifier(), org.upcert.api.Asset.MediaType.IMAGE,
                java.time.Instant.EPOCH, List.of(PHOTO)));
        FakeSystem.JobRecord record = system.library.addForeignJob(PHOTO, JobType.UPLOAD, destination);
        record.state = JobState.SUCCEEDED;
        system.library.hideResourceOnTerminal = true;

        // resource() empty: the X-Resource-Key header, without assetResource(forUploadJob:), which
        // aborts the process on iOS 27 for a job created before an OS upgrade (YAIIU #80).
        assertEquals(Optional.of(PHOTO.key()), inCall(context -> identityOf(context, dialect)));
        assertEquals(0, system.assetResourceCalls, "the destination said: assetResource is not asked");
        // ... a destination without the header: assetResource() answers.
        record.destination = new UploadRequest(destination.url(), "PUT", new TreeMap<>());
        assertEquals(Optional.of(PHOTO.key()), inCall(context -> identityOf(context, dialect)));
        assertEquals(1, system.assetResourceCalls);
        // ... and with the asset deleted: the URL.
        system.library.assets.clear();
        assertEquals(Optional.of(PHOTO.key()), inCall(context -> identityOf(context, dialect)));
        // An iOS 26 system without assetResource(forUploadJob:).
        system.os = "26.5";
        assertEquals(Optional.of(PHOTO.key()), inCall(context -> identityOf(context, dialect)));
        assertEquals(2, system.assetResourceCalls, "not asked below iOS 27");
        // Nothing at all identifies a foreign job to another server.
        record.destination = UploadRequest.put(URI.create("http://127.0.0.1:8080/dav/elsewhere"));
        assertEquals(Optional.empty(), inCall(context -> identityOf(context, dialect)));
    }

    private static Optional<String> identityOf(ExtensionContext context, CloudDialect dialect) {
        JobIdentity identity = new JobIdentity(context.library(), dialect, context.uploadUrlBase(), context.osAtLeast("27"));
        return identity.keyOf(context.library().fetchJobs(org.upcert.api.JobAction.ACKNOWLEDGE).get(0));
    }

    @Test
    void aRelaunchedProcessReusesTheStoredToken() {
        destination(dialect(), PHOTO);
        assertEquals(1, system.signIns);
        UploadRequest again = destination(dialect(), PHOTO); // a new instance: empty memory
        assertEquals(1, system.signIns);
        assertEquals(Optional.of("Bearer tok-001"), again.header("authorization"));
    }

    @Test
    void refreshesATokenAboutToExpire() {
        GenericPutDialect dialect = dialect();
        destination(dialect, PHOTO);
        system.clock.advance(Duration.ofMinutes(45));
        assertEquals(Optional.of("Bearer tok-001"), destination(dialect, PHOTO).header("Authorization"));
        system.clock.advance(Duration.ofMinutes(6)); // 51 minutes: within 10 minutes of expiry
        assertEquals(Optional.of("Bearer tok-002"), destination(dialect, PHOTO).header("Authorization"));
    }

    @Test
    void a401ReplacesTheRejectedTokenOnlyOnce() {
        GenericPutDialect dialect = dialect();
        UploadRequest first = destination(dialect, PHOTO);
        dialect.credentialsRejected(first);
        UploadRequest fresh = inCall(context -> {
            try {
                return dialect.freshDestination(first, context);
            } catch (CloudUnavailableException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(Optional.of("Bearer tok-002"), fresh.header("Authorization"));
        assertEquals(first.url(), fresh.url());
        assertEquals(first.header("X-Resource-Key"), fresh.header("X-Resource-Key"));
        // A second job failing with the same old token does not throw the new one away.
        dialect.credentialsRejected(first);
        assertEquals(Optional.of("Bearer tok-002"), destination(dialect, PHOTO).header("Authorization"));
        assertEquals(2, system.signIns);
        // A new process does not pick the rejected token up from storage either.
        GenericPutDialect relaunched = dialect();
        relaunched.credentialsRejected(fresh);
        assertEquals(Optional.of("Bearer tok-003"), destination(relaunched, PHOTO).header("Authorization"));
    }

    @Test
    void aTransientRetryKeepsTheOriginalUnlessItsTokenWasReplaced() {
        GenericPutDialect dialect = dialect();
        UploadRequest first = destination(dialect, PHOTO);
        assertEquals(Optional.empty(), inCall(context -> dialect.destinationForRetry(first, context)));
        dialect.credentialsRejected(first);
        destination(dialect, PHOTO); // signs in again
        Optional<UploadRequest> replacement = inCall(context -> dialect.destinationForRetry(first, context));
        assertTrue(replacement.isPresent());
        assertEquals(Optional.of("Bearer tok-002"), replacement.get().header("Authorization"));
        int requests = system.http.requests.size();
        system.clock.advance(Duration.ofHours(2)); // everything expired: reuse, never sign in here
        assertEquals(Optional.empty(), inCall(context -> dialect.destinationForRetry(first, context)));
        assertEquals(requests, system.http.requests.size());
    }

    @Test
    void signInFailuresSayWhetherALaterCallCouldSucceed() {
        for (int status : new int[] {400, 401, 403}) {
            system.signInStatus = status;
            assertTrue(signInFailure().permanent(), "HTTP " + status);
        }
        for (int status : new int[] {429, 500, 503}) {
            system.signInStatus = status;
            assertFalse(signInFailure().permanent(), "HTTP " + status);
        }
        system.signInStatus = 200;
        system.http.offline = true;
        assertFalse(signInFailure().permanent());
    }

    private CloudUnavailableException signInFailure() {
        GenericPutDialect dialect = dialect();
        return inCall(context -> assertThrows(CloudUnavailableException.class, () -> dialect.destinationFor(PHOTO, context)));
    }

    @Test
    void serverIdComesFromLowercaseHeaders() {
        GenericPutDialect dialect = dialect();
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("etag", "\"abc\"");
        assertEquals(Optional.of("\"abc\""), dialect.serverId(headers));
        headers.put("x-object-id", "obj-00000007");
        assertEquals(Optional.of("obj-00000007"), dialect.serverId(headers));
        TreeMap<String, String> mixedCase = new TreeMap<>();
        mixedCase.put("X-Object-Id", "obj-1");
        assertEquals(Optional.empty(), dialect.serverId(mixedCase));
    }

    @Test
    void configurationProblemsBecomeAPermanentRefusalNotACrash() {
        TreeMap<String, String> config = new TreeMap<>(system.configuration);
        config.put("cloud.dialect", "ftp"); // a dialect this sample does not speak
        CloudDialect unknown = CloudDialects.fromConfiguration(config);
        assertNotEquals(GenericPutDialect.NAME, unknown.name());
        CloudUnavailableException problem = inCall(context ->
                assertThrows(CloudUnavailableException.class, () -> unknown.destinationFor(PHOTO, context)));
        assertTrue(problem.permanent());
        config.put("cloud.dialect", "generic-put");
        config.remove("cloud.clientSecret");
        assertNotEquals(GenericPutDialect.NAME, CloudDialects.fromConfiguration(config).name());
    }

    @Test
    void honoursAConfiguredTokenUrl() {
        TreeMap<String, String> config = new TreeMap<>(system.configuration);
        config.put("cloud.tokenUrl", "http://127.0.0.1:8080/dav/auth/token");
        CloudDialect dialect = CloudDialects.fromConfiguration(config);
        inCall(context -> {
            try {
                return dialect.destinationFor(PHOTO, context);
            } catch (CloudUnavailableException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(1, system.signIns);
    }
}

package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.upcert.api.AssetResource;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/** {@link FailureClassifier}: on what a device shows, never the HTTP status. */
class FailureClassifierTest {
    static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");
    private static final CloudDialect GENERIC = CloudDialects.fromConfiguration(new TreeMap<>(java.util.Map.of(
            "cloud.dialect", "generic-put", "cloud.clientId", "id", "cloud.clientSecret", "secret")));

    record Job(UploadRequest destination, Optional<SortedMap<String, String>> responseHeaderFields,
            Optional<UploadError> error) implements UploadJob {
        @Override
        public String localIdentifier() {
            return "J1";
        }

        @Override
        public JobState state() {
            return JobState.FAILED;
        }

        @Override
        public JobType type() {
            return JobType.UPLOAD;
        }

        @Override
        public Optional<AssetResource> resource() {
            return Optional.empty();
        }
    }

    /** A job refused by the server with {@code status}, as a device shows it: no status, these headers. */
    static UploadJob answered(int status, String... headerPairs) {
        TreeMap<String, String> headers = new TreeMap<>();
        for (int i = 0; i + 1 < headerPairs.length; i += 2) {
            headers.put(headerPairs[i], headerPairs[i + 1]);
        }
        return new Job(UploadRequest.put(URI.create("http://127.0.0.1:9/dav/files/a")), Optional.of(headers),
                Optional.of(UploadError.httpStatus(status).withoutHttpStatus()));
    }

    /** A job that failed without a response, with {@code code}. */
    static UploadJob noResponse(int code) {
        return new Job(UploadRequest.put(URI.create("http://127.0.0.1:9/dav/files/a")), Optional.empty(),
                Optional.of(UploadError.transport(code, "x")));
    }

    @ParameterizedTest(name = "HTTP {0}, no telling headers -> {1}")
    @CsvSource({
        "400, REFUSED",
        "403, REFUSED",
        "404, REFUSED",
        "413, REFUSED",
        "500, REFUSED",
        "503, REFUSED",
        "401, REAUTHENTICATE"})
    void aResponseIsARefusalWhateverTheHiddenStatus(int status, FailureKind expected) {
        assertEquals(expected, FailureClassifier.classify(answered(status), GENERIC, NOW));
    }

    @Test
    void aRefusalWithRetryAfterIsTransient() {
        assertEquals(FailureKind.TRANSIENT, FailureClassifier.classify(answered(429, "retry-after", "30"), GENERIC, NOW));
        assertEquals(FailureKind.TRANSIENT, FailureClassifier.classify(answered(503, "retry-after", "30"), GENERIC, NOW));
    }

    @Test
    void aResponseNamingTheStoredObjectIsStored() {
        assertEquals(FailureKind.STORED_DESPITE_FAILURE,
                FailureClassifier.classify(answered(204, "x-object-id", "obj-1"), GENERIC, NOW));
    }

    @ParameterizedTest(name = "NSURLError {0}, no response -> {1}")
    @CsvSource({
        "-1001, TRANSIENT",
        "-1003, TRANSIENT",
        "-1004, TRANSIENT",
        "-1005, TRANSIENT",
        "-1009, TRANSIENT",
        "-1020, TRANSIENT",
        "-1013, REAUTHENTICATE",
        "-1022, PERMANENT",
        "-1011, TRANSIENT",
        "-1014, TRANSIENT",
        "-999, TRANSIENT",
        "-1, TRANSIENT"})
    void classifiesTransportErrorsByCode(int code, FailureKind expected) {
        assertEquals(expected, FailureClassifier.classify(noResponse(code), GENERIC, NOW));
    }

    @Test
    void theStatusIsNeverRead() {
        // Even where a run exposes the status (--assume http-status), the sample judges by the device's view.
        UploadJob exposed = new Job(UploadRequest.put(URI.create("http://127.0.0.1:9/dav/files/a")),
                Optional.of(new TreeMap<>()), Optional.of(UploadError.httpStatus(413)));
        assertEquals(FailureKind.REFUSED, FailureClassifier.classify(exposed, GENERIC, NOW));
    }

    @Test
    void noErrorAtAllIsTransient() {
        UploadJob none = new Job(UploadRequest.put(URI.create("http://127.0.0.1:9/dav/files/a")), Optional.empty(), Optional.empty());
        assertEquals(FailureKind.TRANSIENT, FailureClassifier.classify(none, GENERIC, NOW));
    }
}

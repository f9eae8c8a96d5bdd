package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.upcert.api.UploadError;

class FailureClassifierTest {

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
        "200, STORED_DESPITE_FAILURE",
        "201, STORED_DESPITE_FAILURE",
        "204, STORED_DESPITE_FAILURE",
        "301, PERMANENT",
        "400, PERMANENT",
        "401, REAUTHENTICATE",
        "403, DESTINATION_EXPIRED",
        "404, DESTINATION_EXPIRED",
        "408, TRANSIENT",
        "409, PERMANENT",
        "410, DESTINATION_EXPIRED",
        "413, PERMANENT",
        "415, PERMANENT",
        "429, TRANSIENT",
        "500, TRANSIENT",
        "502, TRANSIENT",
        "503, TRANSIENT",
        "504, TRANSIENT",
        "507, TRANSIENT"})
    void classifiesByHttpStatus(int status, FailureKind expected) {
        assertEquals(expected, FailureClassifier.classify(Optional.of(UploadError.httpStatus(status))));
    }

    @ParameterizedTest(name = "NSURLError {0} -> {1}")
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
        assertEquals(expected, FailureClassifier.classify(Optional.of(UploadError.transport(code, "x"))));
    }

    @Test
    void theStatusWinsOverTheCode() {
        // A sanitized error may carry a transient-looking code with a definite status.
        UploadError error = new UploadError(UploadError.NSURL_ERROR_DOMAIN, UploadError.TIMED_OUT, Optional.of(413), "x");
        assertEquals(FailureKind.PERMANENT, FailureClassifier.classify(Optional.of(error)));
    }

    @Test
    void noErrorAtAllIsTransient() {
        assertEquals(FailureKind.TRANSIENT, FailureClassifier.classify(Optional.empty()));
    }
}

package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessTokenTest {

    private static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");

    @Test
    void parsesTheTokenResponseOfTheGenericPutServer() {
        AccessToken token = AccessToken.fromTokenResponse(
                "{\"access_token\":\"gp-0001-00ff00ff00ff00ff\",\"token_type\":\"Bearer\",\"expires_in\":3600}", NOW);
        assertEquals("gp-0001-00ff00ff00ff00ff", token.value());
        assertEquals(NOW, token.issuedAt());
        assertEquals(NOW.plusSeconds(3600), token.expiresAt());
        assertEquals("Bearer gp-0001-00ff00ff00ff00ff", token.authorizationHeader());
    }

    @Test
    void toleratesWhitespaceOrderEscapesAndExtraFields() {
        String json = " {\n  \"expires_in\" : 7200 ,\n  \"scope\": \"upload\", \"extra\": {\"nested\": [1, 2, {\"a\": null}]},"
                + " \"token_type\":\"bearer\", \"flag\": true,\n  \"access_token\" : \"a\\/b\\u0041\" }\n";
        AccessToken token = AccessToken.fromTokenResponse(json, NOW);
        assertEquals("a/bA", token.value());
        assertEquals(NOW.plusSeconds(7200), token.expiresAt());
    }

    @Test
    void assumesAnHourWithoutExpiresIn() {
        AccessToken token = AccessToken.fromTokenResponse("{\"access_token\":\"abc\"}", NOW);
        assertEquals(NOW.plus(AccessToken.DEFAULT_LIFETIME), token.expiresAt());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "[]",
        "{}",
        "{\"access_token\":\"\"}",
        "{\"access_token\":\"abc\",\"token_type\":\"mac\"}",
        "{\"access_token\":\"abc\",\"expires_in\":0}",
        "{\"access_token\":\"abc\",\"expires_in\":\"soon\"}",
        "{\"access_token\":\"has space\"}",
        "{\"access_token\":\"abc\"",
        "{\"access_token\":\"abc\"} trailing",
        "{\"access_token\" \"abc\"}",
        "{\"access_token\":abc}",
        "<html>502 Bad Gateway</html>"})
    void rejectsWhatIsNotAUsableBearerToken(String body) {
        assertThrows(IllegalArgumentException.class, () -> AccessToken.fromTokenResponse(body, NOW));
    }

    @Test
    void jsonFieldsKeepsScalarsAndSkipsContainers() {
        assertEquals(Map.of("a", "1", "b", "x\"y", "c", "null", "d", "-2.5e3"),
                JsonFields.parse("{\"a\":1,\"b\":\"x\\\"y\",\"c\":null,\"d\":-2.5e3,\"e\":{},\"f\":[]}"));
    }

    @Test
    void isRefreshedTenMinutesBeforeExpiry() {
        AccessToken token = new AccessToken("abc", NOW, NOW.plus(Duration.ofHours(1)));
        assertTrue(token.usableAt(NOW.plus(Duration.ofMinutes(49))));
        assertFalse(token.usableAt(NOW.plus(Duration.ofMinutes(50))));
        assertFalse(token.usableAt(NOW.plus(Duration.ofHours(2))));
    }

    @Test
    void aShortLivedTokenIsUsedForHalfItsLife() {
        AccessToken token = new AccessToken("abc", NOW, NOW.plus(Duration.ofMinutes(4)));
        assertTrue(token.usableAt(NOW));
        assertTrue(token.usableAt(NOW.plus(Duration.ofSeconds(119))));
        assertFalse(token.usableAt(NOW.plus(Duration.ofMinutes(2))));
    }

    @Test
    void storageLineRoundTripsAndRejectsGarbage() {
        AccessToken token = new AccessToken("tok-1", NOW, NOW.plusSeconds(3600));
        assertEquals(Optional.of(token), AccessToken.fromStorageLine(token.toStorageLine()));
        assertEquals(Optional.empty(), AccessToken.fromStorageLine("v2\t1\t2\tx"));
        assertEquals(Optional.empty(), AccessToken.fromStorageLine("v1\tnot-a-number\t2\tx"));
        assertEquals(Optional.empty(), AccessToken.fromStorageLine(""));
    }

    @Test
    void neverPrintsTheCredential() {
        assertFalse(new AccessToken("secret-token", NOW, NOW.plusSeconds(1)).toString().contains("secret-token"));
    }
}

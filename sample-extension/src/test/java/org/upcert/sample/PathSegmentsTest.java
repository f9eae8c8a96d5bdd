package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathSegmentsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "5E1B0C3A-1111-2222-3333-444455556666/L0/001|5E1B0C3A-1111-2222-3333-444455556666%2FL0%2F001",
        "IMG 0042.HEIC|IMG%200042.HEIC",
        "a+b|a%2Bb",
        "Ü-~._|%C3%9C-~._",
        "100%|100%25",
        "a#b?c|a%23b%3Fc"})
    void encodesEverythingButUnreservedCharacters(String text, String encoded) {
        assertEquals(encoded, PathSegments.encode(text));
        assertEquals(text, PathSegments.decode(encoded));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "/", "日本語の写真.jpg", "tab\there", "%2F literally", "emoji 📷"})
    void roundTripsAndNeverContainsASlash(String text) {
        String encoded = PathSegments.encode(text);
        assertFalse(encoded.contains("/"));
        assertEquals(text, PathSegments.decode(encoded));
    }

    @ParameterizedTest
    @ValueSource(strings = {"%", "%2", "%zz", "%C3"})
    void rejectsMalformedEscapes(String segment) {
        assertThrows(IllegalArgumentException.class, () -> PathSegments.decode(segment));
    }
}

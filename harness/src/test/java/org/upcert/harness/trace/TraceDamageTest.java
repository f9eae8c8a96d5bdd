package org.upcert.harness.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Where a trace file stops being JSON Lines, and what is wrong there. */
class TraceDamageTest {

    private static Optional<TraceDamage> of(String text) {
        return TraceDamage.find(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("whole traces are fine, with blank lines, CRLF line ends and non-ASCII text")
    void fine() {
        assertEquals(Optional.empty(), of("{\"ev\":\"header\"}\n{\"t\":1,\"ev\":\"a\",\"name\":\"IMG_0001 Ä 📷.HEIC\"}\n"));
        assertEquals(Optional.empty(), of("{\"ev\":\"header\"}\r\n\n  \n{\"t\":1}\r\n"));
        assertEquals(Optional.empty(), of("{\"ev\":\"header\"}"), "a whole last object without its newline is whole");
    }

    @Test
    @DisplayName("an empty file, a line that is not one JSON object, a last line cut off")
    void damaged() {
        assertEquals("the file is empty", of("").orElseThrow().toString());
        TraceDamage notJson = of("{\"ev\":\"header\"}\n{\"t\":1}\nnot json\n{\"t\":2}\n").orElseThrow();
        assertEquals(3, notJson.line());
        assertTrue(notJson.what().startsWith("not one JSON object"), notJson.what());
        assertEquals(2, of("{\"ev\":\"header\"}\n{\"t\":1}{\"t\":2}\n").orElseThrow().line(), "two objects on one line");
        assertEquals(2, of("{\"ev\":\"header\"}\n[1,2]\n").orElseThrow().line(), "an array is not an event");
        TraceDamage cut = of("{\"ev\":\"header\"}\n{\"t\":1}\n{\"t\":2,\"ev\":\"job.cr").orElseThrow();
        assertEquals(3, cut.line());
        assertTrue(cut.what().startsWith("cut off mid-line"), cut.what());
    }

    @Test
    @DisplayName("binary data is named with its byte and column; a character cut in half at the end is a cut-off line")
    void binary() {
        byte[] bytes = {'{', '}', '\n', '{', '"', 'a', '"', ':', (byte) 0xc3, (byte) 0x28, '}', '\n'};
        TraceDamage bad = TraceDamage.find(bytes).orElseThrow();
        assertEquals("line 2: binary data, not text (byte 0xc3 at column 6)", bad.toString());
        assertEquals("line 1: binary data, not text (byte 0x00 at column 2)",
                TraceDamage.find(new byte[] {'{', 0, '}', '\n'}).orElseThrow().toString());
        byte[] halfCharacter = {'{', '}', '\n', '{', '"', 'a', '"', ':', '"', (byte) 0xf0, (byte) 0x9f};
        assertTrue(TraceDamage.find(halfCharacter).orElseThrow().toString().startsWith("line 2: cut off mid-line"));
    }

    @Test
    @DisplayName("lines longer than the read buffer are judged whole")
    void longLines() {
        String big = "{\"t\":1,\"pad\":\"" + "x".repeat(200_000) + "\"}";
        assertEquals(Optional.empty(), of("{\"ev\":\"header\"}\n" + big + "\n" + big + "\n"));
        assertEquals(3, of("{\"ev\":\"header\"}\n" + big + "\n" + big.substring(0, 150_000)).orElseThrow().line());
    }
}

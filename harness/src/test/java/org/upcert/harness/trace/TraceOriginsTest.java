package org.upcert.harness.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The stub's origins never reach the trace: URLs and free text name them by placeholder. */
class TraceOriginsTest {

    @Test
    @DisplayName("a log line naming the stub's origins is written with their placeholders, wherever they stand")
    void logTextRelativized() {
        Trace trace = Trace.inMemory();
        trace.registerOrigin("http://127.0.0.1:3886", "{api}");
        trace.registerOrigin("http://127.0.0.1:38861", "{cloud}");
        assertEquals("moved (uploads to {cloud}/dav/, api {api}/v1): 82 entries",
                trace.relativizeText("moved (uploads to http://127.0.0.1:38861/dav/, api http://127.0.0.1:3886/v1): 82 entries"),
                "the longer origin first: :38861 is not :3886 followed by a 1");
        assertEquals("no URL here", trace.relativizeText("no URL here"));
        assertEquals("http://example.com/x", trace.relativizeText("http://example.com/x"), "other origins stay");
    }
}

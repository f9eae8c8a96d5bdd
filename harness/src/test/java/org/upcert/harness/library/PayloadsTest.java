package org.upcert.harness.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.AssetResource;
import org.upcert.harness.plan.PayloadMode;

/** One SHA-256 per compact upload, however large the library (H32). */
class PayloadsTest {
    /** 12,003 compact bodies of 2-4 KB: about 36 MB, more than the 32 MB memo of bodies (a 10k-asset library). */
    private static List<AssetResource> library() {
        List<AssetResource> resources = new ArrayList<>();
        for (int i = 0; i < 12_003; i++) {
            resources.add(new AssetResource("A" + i + "/L0/001", AssetResource.ResourceType.PHOTO, "IMG_" + i + ".HEIC",
                    "public.heic", 2_000_000L + i));
        }
        return resources;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    @DisplayName("the expected hashes asked after a 10k-asset library's uploads are those kept when each body was sent: none computed again")
    void expectedHashesOfSentBodies() throws Exception {
        Payloads payloads = new Payloads(1, PayloadMode.COMPACT);
        List<AssetResource> resources = library();
        for (AssetResource resource : resources) {
            Payloads.sha256(payloads.bytesToSend(resource)); // the uploader sends it, the stub hashes what it received
        }
        long before = Payloads.digestsComputed();
        List<String> expected = new ArrayList<>();
        for (AssetResource resource : resources) {
            expected.add(payloads.sha256(resource)); // the summary and the checkers
        }
        assertEquals(0, Payloads.digestsComputed() - before, "no expected hash computed again");
        for (int i = 0; i < resources.size(); i += 997) {
            assertEquals(sha256(payloads.bytes(resources.get(i))), expected.get(i), "the digest of the very bytes of " + i);
        }
    }

    @Test
    @DisplayName("without the hash kept at sending, the memo of bodies alone has dropped most of them by the end")
    void theBodiesMemoAloneForgets() {
        Payloads payloads = new Payloads(2, PayloadMode.COMPACT);
        List<AssetResource> resources = library();
        for (AssetResource resource : resources) {
            Payloads.sha256(payloads.bytes(resource));
        }
        long before = Payloads.digestsComputed();
        for (AssetResource resource : resources) {
            payloads.sha256(resource);
        }
        assertTrue(Payloads.digestsComputed() - before > 5_000, "computed again: " + (Payloads.digestsComputed() - before));
    }
}

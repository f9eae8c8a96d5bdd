package org.upcert.harness.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AssetResource.ResourceType;
import org.upcert.api.ChangeToken;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.harness.plan.PayloadMode;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.sim.SimRandom;
import org.upcert.harness.sim.VirtualClock;

class LibraryTest {

    private static List<Asset> generate(long seed, int n) {
        return new LibraryGenerator(new SimRandom(seed)).initialLibrary(Workload.typical(n));
    }

    @Test
    @DisplayName("the same seed makes the same library; another seed another")
    void deterministic() {
        assertEquals(generate(5, 200), generate(5, 200));
        assertNotEquals(generate(5, 200), generate(6, 200));
    }

    @Test
    @DisplayName("the mix and sizes look like a phone: photos of megabytes, Live Photo pairs, RAW pairs, long-tailed videos")
    void realisticMix() {
        List<Asset> assets = generate(11, 5_000);
        long photos = 0;
        long pairedVideos = 0;
        long raws = 0;
        long videos = 0;
        long photoBytes = 0;
        long maxVideo = 0;
        TreeSet<String> ids = new TreeSet<>();
        for (Asset asset : assets) {
            ids.add(asset.localIdentifier());
            assertTrue(asset.creationDate().isBefore(VirtualClock.EPOCH));
            for (AssetResource r : asset.resources()) {
                switch (r.type()) {
                    case PHOTO -> {
                        photos++;
                        photoBytes += r.fileSize();
                    }
                    case PAIRED_VIDEO -> pairedVideos++;
                    case ALTERNATE_PHOTO -> raws++;
                    case VIDEO -> {
                        videos++;
                        maxVideo = Math.max(maxVideo, r.fileSize());
                    }
                }
            }
        }
        assertEquals(5_000, ids.size(), "identifiers are unique");
        assertTrue(ids.first().matches("[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/L0/001"), ids.first());
        assertTrue(Math.abs(videos - 500) < 100, "videos " + videos);
        assertTrue(Math.abs(pairedVideos - 750) < 120, "live photos " + pairedVideos);
        assertTrue(Math.abs(raws - 250) < 80, "raw " + raws);
        long meanPhoto = photoBytes / photos;
        assertTrue(meanPhoto > 1_500_000 && meanPhoto < 5_000_000, "mean photo " + meanPhoto);
        assertTrue(maxVideo > 200L * 1024 * 1024, "a long tail of large videos, max " + maxVideo);
        for (int i = 1; i < assets.size(); i++) {
            assertTrue(!assets.get(i).creationDate().isBefore(assets.get(i - 1).creationDate()), "oldest first");
        }
    }

    @Test
    @DisplayName("payloads are deterministic, distinct per resource, compact by default and full on request")
    void payloads() {
        AssetResource a = new AssetResource("A/L0/001", ResourceType.PHOTO, "IMG_1.HEIC", "public.heic", 3_000_000);
        AssetResource b = new AssetResource("B/L0/001", ResourceType.PHOTO, "IMG_2.HEIC", "public.heic", 3_000_000);
        Payloads compact = new Payloads(1, PayloadMode.COMPACT);
        assertEquals(compact.sha256(a), new Payloads(1, PayloadMode.COMPACT).sha256(a));
        assertNotEquals(compact.sha256(a), compact.sha256(b));
        assertNotEquals(compact.sha256(a), new Payloads(2, PayloadMode.COMPACT).sha256(a));
        int length = compact.bytes(a).length;
        assertTrue(length >= 2048 && length < 4096, "compact length " + length);
        assertEquals(3_000_000, new Payloads(1, PayloadMode.FULL).bytes(a).length);
    }

    @Test
    @DisplayName("a body's SHA-256 is the digest of its very bytes, whatever was hashed before (the memo is exact)")
    void bodyHashesAreExact() throws Exception {
        AssetResource a = new AssetResource("A/L0/001", ResourceType.PHOTO, "IMG_1.HEIC", "public.heic", 3_000_000);
        Payloads payloads = new Payloads(7, PayloadMode.COMPACT);
        byte[] body = payloads.bytes(a);
        String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        assertEquals(expected, Payloads.sha256(body), "first time");
        assertEquals(expected, Payloads.sha256(body.clone()), "the same bytes again, in another array");
        assertEquals(expected, payloads.sha256(a), "the resource's expected hash");
        byte[] corrupted = body.clone();
        corrupted[corrupted.length / 2] ^= 1; // one bit: a different body, never the memo's answer
        assertNotEquals(expected, Payloads.sha256(corrupted));
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(corrupted)),
                Payloads.sha256(corrupted));
        body[0] ^= 1; // the caller changes its array after hashing it: what was kept is a copy
        assertEquals(expected, Payloads.sha256(payloads.bytes(a)));
        assertNotEquals(expected, Payloads.sha256(body));
        byte[] large = new Payloads(7, PayloadMode.FULL).bytes(a); // full size: hashed each time, never kept
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(large)),
                Payloads.sha256(large));
    }

    @Test
    @DisplayName("change tokens: changes since a token, in order; expired history throws PERSISTENT_CHANGE_TOKEN_EXPIRED")
    void changeTokens() throws Exception {
        SimulatedLibrary library = new SimulatedLibrary(generate(3, 10));
        LibraryGenerator more = new LibraryGenerator(new SimRandom(99));
        ChangeToken start = library.currentToken();
        assertTrue(library.changesSince(start).isEmpty());
        Asset added = more.newAsset(Workload.typical(1), VirtualClock.EPOCH);
        library.insert(added);
        String deleted = library.assets().get(0).localIdentifier();
        library.delete(deleted);
        var changes = library.changesSince(start);
        assertEquals(2, changes.size());
        assertEquals(List.of(added.localIdentifier()), changes.get(0).insertedAssets());
        assertEquals(List.of(deleted), changes.get(1).deletedAssets());
        assertEquals(library.currentToken(), changes.get(1).changeToken());
        assertTrue(library.changesSince(library.currentToken()).isEmpty());
        assertTrue(library.liveResource(added.resources().get(0).key()).isPresent());
        assertTrue(library.asset(deleted).isEmpty());

        library.expireHistory();
        PhotosException e = assertThrows(PhotosException.class, () -> library.changesSince(start));
        assertEquals(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED, e.code());
        assertTrue(library.changesSince(library.currentToken()).isEmpty(), "the current token still works");
        assertEquals(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED,
                assertThrows(PhotosException.class, () -> library.changesSince(new ChangeToken("garbage"))).code());
    }
}

package org.upcert.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/** The streamed codec writes the very bytes the trees wrote, and reads back what the trees read. */
class ValueStreamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final AssetResource PHOTO = new AssetResource("A1/L0/001", AssetResource.ResourceType.PHOTO, "IMG_0001.HEIC",
            "public.heic", 2_811_904L);
    private static final AssetResource ODD = new AssetResource("A\"2\\L0\n/ü€𝄞", AssetResource.ResourceType.PAIRED_VIDEO,
            "naïve \u0001 name.MOV", "com.apple.quicktime-movie", Long.MAX_VALUE);
    private static final UploadRequest PUT = new UploadRequest(URI.create("http://127.0.0.1:1/dav/files/A1%2FL0%2F001/PHOTO/IMG_0001.HEIC"),
            "PUT", new TreeMap<>(java.util.Map.of("Authorization", "Bearer x", "X-Ünïcode", "v\"al\\ue")));

    private interface Writing {
        void write(JsonGenerator out) throws IOException;
    }

    /** What the protocol wrote before: a tree, by {@code writeValueAsBytes} (UTF-8; not the Writer-based generator, which writes surrogate pairs unescaped). */
    private static String tree(Object node) throws IOException {
        return new String(JSON.writeValueAsBytes(node), StandardCharsets.UTF_8);
    }

    private static String streamed(Writing writing) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator out = JSON.createGenerator(bytes)) {
            writing.write(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static <T> T read(String json, Connection.Decoder<T> decoder) throws IOException {
        try (JsonParser in = JSON.createParser(json)) {
            in.nextToken();
            return decoder.read(in);
        }
    }

    private static List<UploadJob> jobs() {
        SortedMap<String, String> headers = new TreeMap<>(java.util.Map.of("retry-after", "30", "x-object-id", "ö"));
        return List.of(
                new Values.Job("J000001", JobState.REGISTERED, JobType.UPLOAD, Optional.of(PHOTO), PUT, Optional.empty(), Optional.empty()),
                new Values.Job("J000002", JobState.FAILED, JobType.UPLOAD, Optional.empty(), PUT, Optional.of(headers),
                        Optional.of(new UploadError("NSURLErrorDomain", -1011, Optional.of(503), "bad server response"))),
                new Values.Job("J000003", JobState.FAILED, JobType.UPLOAD, Optional.of(ODD), PUT, Optional.of(new TreeMap<>()),
                        Optional.of(new UploadError("NSURLErrorDomain", -1009, Optional.empty(), "offline \"quoted\""))),
                new Values.Job("J000004", JobState.SUCCEEDED, JobType.DOWNLOAD_ONLY, Optional.of(PHOTO), null, Optional.empty(),
                        Optional.empty()));
    }

    @Test
    @DisplayName("assets and jobs streamed are byte for byte what their trees wrote (escapes, non-ASCII, absent members)")
    void sameBytesAsTheTrees() throws IOException {
        List<Asset> assets = List.of(
                new Asset("A1/L0/001", Asset.MediaType.IMAGE, Instant.parse("2025-11-02T10:15:00Z"), List.of(PHOTO)),
                new Asset("A\"2\\L0\n/ü€𝄞", Asset.MediaType.VIDEO, Instant.parse("2025-11-02T10:15:00.123Z"), List.of(PHOTO, ODD)),
                new Asset("A3", Asset.MediaType.IMAGE, Instant.EPOCH, List.of()));
        assertEquals(tree(Values.assets(assets)), streamed(out -> ValueStreams.assets(out, assets)));
        for (UploadJob job : jobs()) {
            assertEquals(tree(Values.job(job, job.responseHeaderFields())),
                    streamed(out -> ValueStreams.job(out, job, job.responseHeaderFields())), job.localIdentifier());
        }
        JsonNode inATree = JSON.createObjectNode().set("result", Connection.streamed(out -> ValueStreams.assets(out, assets)));
        assertEquals("{\"result\":" + tree(Values.assets(assets)) + "}", tree(inATree),
                "a streamed value inside a tree writes itself in place");
    }

    @Test
    @DisplayName("what the parser reads equals what the tree reading made")
    void sameValuesAsTheTrees() throws IOException {
        List<Asset> assets = List.of(
                new Asset("A\"2\\L0\n/ü€𝄞", Asset.MediaType.VIDEO, Instant.parse("2025-11-02T10:15:00.123Z"), List.of(PHOTO, ODD)));
        String json = JSON.writeValueAsString(Values.assets(assets));
        List<Asset> fromTree = new java.util.ArrayList<>();
        JSON.readTree(json).forEach(node -> fromTree.add(Values.readAsset(node)));
        assertEquals(fromTree, read(json, ValueStreams::readAssets));
        assertEquals(assets, read(json, ValueStreams::readAssets));
        for (UploadJob job : jobs()) {
            String one = JSON.writeValueAsString(Values.job(job, job.responseHeaderFields()));
            assertEquals(Values.readJob(JSON.readTree(one)), read(one, ValueStreams::readJob), one);
        }
        assertEquals(Optional.empty(), read("null", ValueStreams::readData));
        assertEquals("hello", new String(read("{\"data\":\"aGVsbG8=\",\"more\":[1,{}]}", ValueStreams::readData).orElseThrow(),
                StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), read("null", ValueStreams::readOptionalResource));
    }

    @Test
    @DisplayName("a member of the wrong kind is refused with its name, as the tree reading refuses it")
    void refusals() {
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> read(
                "[{\"id\":\"A\",\"mediaType\":\"IMAGE\",\"created\":\"2025-11-02T10:15:00Z\",\"resources\":[{\"asset\":\"A\",\"type\":\"PHOTO\","
                        + "\"filename\":\"f\",\"uti\":\"u\",\"size\":\"big\"}]}]", ValueStreams::readAssets));
        assertTrue(size.getMessage().contains("size must be an integer"), size.getMessage());
        IllegalArgumentException state = assertThrows(IllegalArgumentException.class,
                () -> read("{\"id\":\"J1\",\"state\":\"DONE\",\"type\":\"UPLOAD\",\"destination\":null}", ValueStreams::readJob));
        assertTrue(state.getMessage().startsWith("state must be one of"), state.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> read("{\"state\":\"FAILED\",\"type\":\"UPLOAD\"}", ValueStreams::readJob));
        assertEquals("id must be a string", missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> read("{\"id\":\"A\"}", ValueStreams::readAssets));
    }
}

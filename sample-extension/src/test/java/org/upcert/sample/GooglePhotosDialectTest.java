package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.UploadRequest;

/** The sample's google-photos dialect: destinations, tokens from headers, and exactly-once commits. */
class GooglePhotosDialectTest {

    private static final URI BASE = URI.create("http://127.0.0.1:8080/gphotos/");
    private static final AssetResource PHOTO = new AssetResource("5E1B0C3A-1111/L0/001",
            AssetResource.ResourceType.PHOTO, "IMG_0042.HEIC", "public.heic", 2_400_000);

    /** Tokens committed by the scripted server, with their commit count. */
    private final TreeMap<String, Integer> commits = new TreeMap<>();
    private final List<Integer> batchSizes = new ArrayList<>();
    private int mediaItems;
    /** What batchCreate answers instead of working, when set. */
    private ExtensionHttp.Response outage;

    private ScriptedContext context() {
        ScriptedContext context = new ScriptedContext(BASE, (request, body) -> {
            String path = request.url().getPath();
            if (path.endsWith("/oauth2/token")) {
                return ScriptedContext.response(200, "{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
            }
            if (path.endsWith("/v1/mediaItems:batchCreate")) {
                if (outage != null) {
                    return outage;
                }
                List<Object> items = JsonTree.array(JsonTree.object(JsonTree.parse(body)).get("newMediaItems"));
                batchSizes.add(items.size());
                StringBuilder answer = new StringBuilder("{\"newMediaItemResults\":[");
                for (Object item : items) {
                    Map<String, Object> simple = JsonTree.object(JsonTree.object(item).get("simpleMediaItem"));
                    String token = JsonTree.text(simple.get("uploadToken"));
                    if (answer.charAt(answer.length() - 1) != '[') {
                        answer.append(',');
                    }
                    answer.append("{\"uploadToken\":\"").append(token).append("\",");
                    if (token.startsWith("bad")) {
                        answer.append("\"status\":{\"code\":3,\"message\":\"Failed: unknown upload token\"}}");
                    } else if (commits.containsKey(token)) {
                        commits.merge(token, 1, Integer::sum);
                        answer.append("\"status\":{\"code\":6,\"message\":\"Failed: already committed\"}}");
                    } else {
                        commits.put(token, 1);
                        answer.append("\"status\":{\"message\":\"Success\"},\"mediaItem\":{\"id\":\"MI").append(++mediaItems)
                                .append("\",\"filename\":\"").append(JsonTree.text(simple.get("fileName"))).append("\"}}");
                    }
                }
                return ScriptedContext.response(200, answer.append("]}").toString());
            }
            return ScriptedContext.response(404, "");
        });
        context.configuration.putAll(Map.of("cloud.dialect", "google-photos", "cloud.clientId", "upcert-sample",
                "cloud.clientSecret", "s3cret"));
        return context;
    }

    private static GooglePhotosDialect dialect(ScriptedContext context) {
        return (GooglePhotosDialect) CloudDialects.fromConfiguration(context.configuration);
    }

    /** A ledger with {@code n} uploaded, uncommitted resources (tokens {@code UT<i>}), made durable. */
    private static Ledger ledgerWithPending(ScriptedContext context, int n, String tokenPrefix) {
        Ledger ledger = Ledger.empty();
        List<LedgerEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(LedgerEntry.discovered(String.format("A%03d#PHOTO", i), ledger.allocateOrder())
                    .uploaded(GooglePhotosDialect.PENDING + tokenPrefix + i + ":IMG_" + i + ".HEIC"));
        }
        ledger.record(entries, context.storage);
        return ledger;
    }

    @Test
    void destinationIsARawUploadWithBearerToken() throws Exception {
        ScriptedContext context = context();
        UploadRequest destination = dialect(context).destinationFor(PHOTO, context);
        assertEquals("POST", destination.method());
        assertEquals(URI.create("http://127.0.0.1:8080/gphotos/v1/uploads"), destination.url());
        assertEquals(Optional.of("Bearer tok-1"), destination.header("Authorization"));
        assertEquals(Optional.of("raw"), destination.header("X-Goog-Upload-Protocol"));
        assertEquals(Optional.of("image/heic"), destination.header("X-Goog-Upload-Content-Type"));
        assertEquals(Optional.of("IMG_0042.HEIC"), destination.header("X-Goog-Upload-File-Name"));
        assertEquals(Optional.of(PHOTO.key()), JobIdentity.fromDestination(destination, dialect(context), BASE));
    }

    @Test
    void theUploadTokenIsReadFromTheLowercasedHeader() {
        GooglePhotosDialect dialect = dialect(context());
        assertEquals(Optional.of("pending:UT1:"), dialect.serverId(new TreeMap<>(Map.of("x-goog-upload-token", "UT1"))));
        assertEquals(Optional.empty(), dialect.serverId(new TreeMap<>(Map.of("etag", "x"))));
        assertEquals(List.of("UT1", "IMG 1:2.HEIC"), List.of(GooglePhotosDialect.parsePending("pending:UT1:IMG 1:2.HEIC")));
    }

    @Test
    void pendingUploadsAreCommittedInSerialBatchesOfAtMostFiftyExactlyOnce() {
        ScriptedContext context = context();
        GooglePhotosDialect dialect = dialect(context);
        Ledger ledger = ledgerWithPending(context, 120, "UT");
        assertEquals(120, dialect.uncommittedUploads(ledger));
        dialect.commitUploads(ledger, context, new AtomicBoolean());
        assertEquals(List.of(50, 50, 20), batchSizes);
        assertEquals(0, dialect.uncommittedUploads(ledger));
        assertTrue(commits.values().stream().allMatch(n -> n == 1));
        assertEquals("media:MI1:UT0", ledger.get("A000#PHOTO").orElseThrow().serverId(), "the media id, and the token it committed");
        // A relaunched process reads the commits from storage and commits nothing again.
        Ledger reloaded = Ledger.load(context.storage);
        dialect(context).commitUploads(reloaded, context, new AtomicBoolean());
        assertEquals(List.of(50, 50, 20), batchSizes);
        assertEquals(0, dialect.uncommittedUploads(reloaded));
    }

    @Test
    void anOutageLeavesTokensPendingForTheNextCall() {
        ScriptedContext context = context();
        GooglePhotosDialect dialect = dialect(context);
        Ledger ledger = ledgerWithPending(context, 3, "UT");
        outage = ScriptedContext.response(503, "");
        dialect.commitUploads(ledger, context, new AtomicBoolean());
        assertEquals(3, dialect.uncommittedUploads(ledger));
        outage = null;
        dialect.commitUploads(ledger, context, new AtomicBoolean());
        assertEquals(0, dialect.uncommittedUploads(ledger));
        assertEquals(Map.of("UT0", 1, "UT1", 1, "UT2", 1), commits);
    }

    @Test
    void aCommitWhoseAnswerWasLostIsRecordedAsCommittedAnUnknownTokenIsUploadedAgainAndNoTokenIsLeftAlone() {
        ScriptedContext context = context();
        GooglePhotosDialect dialect = dialect(context);
        commits.put("UT0", 1); // committed by a process killed before it recorded the answer
        Ledger ledger = ledgerWithPending(context, 1, "UT");
        List<LedgerEntry> bad = List.of(LedgerEntry.discovered("B#PHOTO", ledger.allocateOrder()).uploaded("pending:bad1:x"),
                LedgerEntry.discovered("C#PHOTO", ledger.allocateOrder()).uploaded(""));
        ledger.record(bad, context.storage);
        dialect.commitUploads(ledger, context, new AtomicBoolean());
        assertEquals("committed:UT0", ledger.get("A000#PHOTO").orElseThrow().serverId());
        assertEquals(ResourceStatus.NEEDS_UPLOAD, ledger.get("B#PHOTO").orElseThrow().status(), "unknown token: upload again");
        // The real service shows no token (strict stub: it is in the body): another upload would show none either.
        assertEquals(ResourceStatus.UPLOADED, ledger.get("C#PHOTO").orElseThrow().status(), "no token: stored, nothing to commit");
        assertEquals("", ledger.get("C#PHOTO").orElseThrow().serverId());
        assertEquals(0, dialect.uncommittedUploads(ledger));
    }

    @Test
    void terminationStopsBetweenBatches() {
        ScriptedContext context = context();
        Ledger ledger = ledgerWithPending(context, 60, "UT");
        dialect(context).commitUploads(ledger, context, new AtomicBoolean(true));
        assertTrue(batchSizes.isEmpty());
        assertEquals(60, dialect(context).uncommittedUploads(ledger));
    }
}

package org.upcert.conformance.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.AssetResource;
import org.upcert.api.CloudSettings;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * What issue 16 added for authors behaves the same in every hosting mode: typed cloud settings,
 * a stored resource key back to its {@code AssetResource} with one targeted fetch (never a scan),
 * and a rejected block thrown as its own type ({@code PhotosException.LimitExceeded},
 * {@code LimitExceededError} in Python) — in process, in a JVM worker and as a Python command.
 */
class ApiAdditionsAcrossHostsTest {

    private static final List<String> EXPECTED = List.of(
            "cloud generic-put, token endpoint /dav/auth/token, api endpoint none",
            "fetchResource(stored key): the same resource",
            "fetchResource(key of no asset): empty",
            "fetchResource(malformed): refused",
            "three creates: rejected as LimitExceeded (LIMIT_EXCEEDED)",
            "two creates: committed");

    private static RunResult run(ExtensionSource source, String isolation) {
        RunOptions options = RunOptions.inMemory().withTransport("direct");
        return Simulation.run(RunPlan.of(3, Workload.typical(4).withJobLimit(2)), source,
                isolation == null ? options : options.withIsolation(isolation));
    }

    private static List<String> logs(RunResult result) throws Exception {
        return ChangesThatCannotApplyTest.events(result, "log").stream().map(l -> l.path("msg").asText()).toList();
    }

    private static long headerReads(RunResult result) throws Exception {
        return ChangesThatCannotApplyTest.events(result, "call.end").stream().mapToLong(e -> e.path("headers").asLong()).sum();
    }

    @Test
    @DisplayName("cloudSettings, fetchResource and PhotosException.LimitExceeded: in process and in a worker, the same trace")
    void inProcessAndWorker(@TempDir Path dir) throws Exception {
        Path jar = ChangesThatCannotApplyTest.jar(dir, ApiAdditionsProbe.class);
        RunResult inProcess = run(ExtensionSource.jar(jar), "in-process");
        assertEquals(EXPECTED, logs(inProcess).subList(0, EXPECTED.size()), logs(inProcess).toString());
        // the stored key is found with a fetch of one asset, not a walk of the library
        List<JsonNode> asked = ChangesThatCannotApplyTest.events(inProcess, "fetch.assets").stream()
                .filter(e -> e.has("asked")).toList();
        assertEquals(2, asked.size(), asked.toString());
        assertEquals(1, asked.get(0).path("asked").asInt());
        assertEquals(1, asked.get(0).path("count").asInt());
        assertEquals(0, asked.get(1).path("count").asInt());
        RunResult worker = run(ExtensionSource.jar(jar), "worker");
        assertEquals(inProcess.traceText().lines().skip(1).toList(), worker.traceText().lines().skip(1).toList());
    }

    @Test
    @DisplayName("as a Python command: the same logs (cloud_settings, fetch_resource, LimitExceededError)")
    void asACommand() throws Exception {
        String python = ChangesThatCannotApplyTest.python();
        Path script = Path.of(ApiAdditionsAcrossHostsTest.class.getResource("/python/api_additions_probe.py").toURI());
        RunResult inProcess = run(ExtensionSource.type(ApiAdditionsProbe.class), "in-process");
        RunResult command = run(ExtensionSource.command(List.of(python, script.toString()), script.getParent()), null);
        assertEquals("command", command.summary().isolation());
        assertEquals(logs(inProcess), logs(command));
        assertTrue(logs(command).contains("copied headers name www-authenticate: true"), logs(command).toString());
        // a copy of the headers is a read of them in every host (items() in Python, entrySet() in Java)
        assertTrue(headerReads(inProcess) > 0 && headerReads(command) > 0, headerReads(inProcess) + " / " + headerReads(command));
    }

    @Test
    @DisplayName("the values themselves: a key read back, a subtype per code, settings typed and malformed URLs named")
    void theValues() {
        AssetResource.Key key = AssetResource.Key.parse("A1/L0/001#PAIRED_VIDEO");
        assertEquals("A1/L0/001", key.assetLocalIdentifier());
        assertEquals(AssetResource.ResourceType.PAIRED_VIDEO, key.type());
        assertEquals("A1/L0/001#PAIRED_VIDEO", key.toString());
        assertThrows(IllegalArgumentException.class, () -> AssetResource.Key.parse("A1/L0/001#SOUND"));
        assertThrows(IllegalArgumentException.class, () -> AssetResource.Key.parse("#PHOTO"));
        assertTrue(PhotosException.of(PhotosErrorCode.LIMIT_EXCEEDED, "x") instanceof PhotosException.LimitExceeded);
        assertTrue(PhotosException.of(PhotosErrorCode.ACCESS_USER_DENIED, "x") instanceof PhotosException.AccessDenied);
        assertTrue(PhotosException.of(PhotosErrorCode.IDENTIFIER_NOT_FOUND, "x") instanceof PhotosException.IdentifierNotFound);
        assertTrue(PhotosException.of(PhotosErrorCode.CHANGE_NOT_SUPPORTED, "x") instanceof PhotosException.ChangeNotSupported);
        assertTrue(PhotosException.of(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED, "x")
                instanceof PhotosException.ChangeTokenExpired);
        assertEquals(PhotosException.class, PhotosException.of(PhotosErrorCode.INTERNAL_ERROR, "x").getClass());
        TreeMap<String, String> config = new TreeMap<>();
        config.put(CloudSettings.DIALECT, "google-photos");
        config.put(CloudSettings.API_URL, "http://127.0.0.1:1/gphotos/v1/");
        config.put(CloudSettings.CLIENT_SECRET, "s3cret");
        CloudSettings settings = CloudSettings.of(config);
        assertEquals("/gphotos/v1/", settings.apiUrl().orElseThrow().getPath());
        assertTrue(settings.tokenUrl().isEmpty());
        assertTrue(!settings.toString().contains("s3cret"), "the secret stays out of logs");
        config.put(CloudSettings.TOKEN_URL, "not a url");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> CloudSettings.of(config));
        assertTrue(bad.getMessage().contains("cloud.tokenUrl"), bad.getMessage());
    }
}

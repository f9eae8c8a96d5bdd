package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.SuiteConfig;

/**
 * The certificate states the cloud stub's header mode, and a google-photos certification with the
 * strict stub (the default) as "protocol shape only": no extension can obtain the upload token,
 * which the real service returns only in the upload's body (docs/cloud.md).
 */
class ProtocolShapeOnlyTest {

    private static JsonNode certify(Path out, String cloud, String assume) throws Exception {
        TreeMap<String, String> parameters = new TreeMap<>(Map.of("upcert.profiles", "baseline", "upcert.seeds", "1",
                "upcert.cloud", cloud, "upcert.rules", "CLD-01,E2E-01", "upcert.explore", "0",
                "upcert.isolation", "in-process", "upcert.transport", "direct"));
        if (assume != null) {
            parameters.put("upcert.assume", assume);
        }
        Certification c = Certifier.certify(SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key))), out, null)
                .certification();
        assertEquals(Certification.Outcome.CERTIFIED, c.outcome(), c.failures().toString());
        return new ObjectMapper().readTree(out.resolve("certification.json").toFile());
    }

    @Test
    @DisplayName("google-photos, strict stub: CERTIFICATION.md and certification.json say protocol shape only, and why")
    void strictGooglePhotos(@TempDir Path out) throws Exception {
        JsonNode json = certify(out, "google-photos", null);
        assertTrue(json.path("protocolShapeOnly").asText().startsWith("protocol shape only: google-photos returns the upload token "
                + "only in the upload's response body"), json.path("protocolShapeOnly").toString());
        assertEquals("strict", json.path("runs").path("stubHeaders").asText());
        String md = Files.readString(out.resolve("CERTIFICATION.md"));
        assertTrue(md.lines().findFirst().orElseThrow().endsWith("(protocol shape only)"), md.lines().findFirst().orElseThrow());
        assertTrue(md.contains("**Protocol shape only:** google-photos returns the upload token") && md.contains("| cloud stub headers | strict"),
                md);
    }

    @Test
    @DisplayName("google-photos with --assume body-in-headers, and generic-put: the whole protocol judged, the mode stated")
    void lenientGooglePhotosAndGenericPut(@TempDir Path out) throws Exception {
        JsonNode lenient = certify(out.resolve("lenient"), "google-photos", "body-in-headers");
        assertTrue(lenient.path("protocolShapeOnly").isNull(), lenient.path("protocolShapeOnly").toString());
        assertEquals("lenient", lenient.path("runs").path("stubHeaders").asText());
        assertEquals("body-in-headers", lenient.path("assumptions").get(0).asText());
        String md = Files.readString(out.resolve("lenient").resolve("CERTIFICATION.md"));
        assertFalse(md.contains("protocol shape only"), md);
        assertTrue(md.contains("| cloud stub headers | lenient (**an assumption**"), md);

        JsonNode plain = certify(out.resolve("plain"), "generic-put", null);
        assertTrue(plain.path("protocolShapeOnly").isNull());
        assertEquals("strict", plain.path("runs").path("stubHeaders").asText());
    }
}

package org.upcert.conformance.certify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.upcert.conformance.suite.SuiteConfig;

/** certify runs the rule-group classes concurrently (one thread each), the tests inside a class in order. */
class ParallelGroupsTest {

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path reports;

    @Test
    @DisplayName("the discovery request runs the selected group classes concurrently, one thread per class, methods in order")
    void groupClassesRunConcurrently() {
        SuiteConfig config = SuiteConfig.from(key -> Optional.ofNullable(
                Map.of("upcert.profiles", "baseline", "upcert.seeds", "1", "upcert.rules", "JOB,CAP,ACK").get(key)));
        LauncherDiscoveryRequest request = Certifier.request(config.withReports(reports));
        ConfigurationParameters parameters = request.getConfigurationParameters();
        assertEquals(Optional.of("true"), parameters.get("junit.jupiter.execution.parallel.enabled"));
        assertEquals(Optional.of("concurrent"), parameters.get("junit.jupiter.execution.parallel.mode.classes.default"));
        assertEquals(Optional.of("same_thread"), parameters.get("junit.jupiter.execution.parallel.mode.default"));
        assertEquals(Optional.of("3"), parameters.get("junit.jupiter.execution.parallel.config.fixed.parallelism"),
                "one thread per selected group class (JOB, CAP, ACK)");
    }
}

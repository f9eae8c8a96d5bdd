package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.suite.SuiteConfigException;

/** A FAIL's reproduce line is a command of the route the certification came from (issue 14, item 3). */
class ReproduceLinesTest {
    private static final Cell FLAKY_1 = new Cell("flaky-network", 1, "generic-put");

    private static SuiteConfig config(Map<String, String> given) {
        TreeMap<String, String> parameters = new TreeMap<>(given);
        parameters.putIfAbsent("upcert.profiles", "flaky-network");
        parameters.putIfAbsent("upcert.seeds", "1");
        return SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key)));
    }

    @Test
    @DisplayName("the command line's: ./upcert certify with the extension's options")
    void commandLine() {
        assertEquals("./upcert certify --profiles flaky-network --seed 1 --rules ACK-01", config(Map.of()).reproduce(FLAKY_1, "ACK-01"));
        assertEquals("./upcert certify --extension-cmd 'python3 ext.py' --profiles flaky-network --seed 1 --cloud dropbox --rules ACK-01",
                config(Map.of("upcert.extension.cmd", "python3 ext.py", "upcert.route", "cli"))
                        .reproduce(new Cell("flaky-network", 1, "dropbox"), "ACK-01"));
        assertEquals("./upcert certify --profiles flaky-network --explore 2 --seeds 1,",
                config(Map.of("upcert.explore", "2")).certifyCommand());
    }

    @Test
    @DisplayName("the Maven plugin's: mvn verify -Dupcert.…, the jar being the project's")
    void mavenPlugin() {
        SuiteConfig config = config(Map.of("upcert.route", SuiteConfig.MAVEN_PLUGIN));
        assertEquals("mvn verify -Dupcert.profiles=flaky-network -Dupcert.seed=1 -Dupcert.rules=ACK-01", config.reproduce(FLAKY_1, "ACK-01"));
        assertEquals("mvn verify -Dupcert.profiles=flaky-network -Dupcert.seed=2 -Dupcert.cloud=onedrive -Dupcert.rules=RTY-03",
                config.reproduce(new Cell("flaky-network", 2, "onedrive"), "RTY-03"));
        assertEquals("mvn verify -Dupcert.profiles=flaky-network -Dupcert.seeds=1,", config.certifyCommand());
        assertEquals("mvn verify -Dupcert.profiles=explore:4 -Dupcert.seed=4 -Dupcert.rules=TRM-03",
                config.reproduce(new Cell("explore:4", 4, "generic-put"), "TRM-03"));
    }

    @Test
    @DisplayName("the JUnit @Suite's: mvn test -Dtest=SUITE -Dupcert.… (a -D system property wins over the suite's annotations there)")
    void junitSuite() {
        assertEquals("mvn test -Dtest=MyExtensionConformanceTest -Dupcert.profiles=flaky-network -Dupcert.seed=1 -Dupcert.rules=ACK-01",
                config(Map.of("upcert.route", "junit:com.example.MyExtensionConformanceTest")).reproduce(FLAKY_1, "ACK-01"));
        assertEquals("mvn test -Dupcert.profiles=flaky-network -Dupcert.seed=1 -Dupcert.rules=ACK-01",
                config(Map.of("upcert.route", "junit")).reproduce(FLAKY_1, "ACK-01"));
    }

    @Test
    @DisplayName("an unknown route is bad input")
    void unknownRoute() {
        assertTrue(assertThrows(SuiteConfigException.class, () -> config(Map.of("upcert.route", "gradle"))).getMessage()
                .contains("upcert.route"));
    }
}

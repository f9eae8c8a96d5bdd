package org.upcert.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CertifyOptionsTest {

    @Test
    void thePomsOptionsBecomeCertifysOptions() {
        CertifyOptions options = new CertifyOptions().set("upcert.extension", "/p/target/x.jar").set("upcert.profiles", "baseline")
                .set("upcert.seeds", "2").set("upcert.cloud", "dropbox").set("upcert.isolation", " ").set("upcert.out", "/p/target/upcert");
        assertEquals(List.of("--extension", "/p/target/x.jar", "--profiles", "baseline", "--seeds", "2", "--cloud", "dropbox",
                "--out", "/p/target/upcert"), options.arguments());
    }

    @Test
    void theCommandLinesUserPropertiesWinOverThePom() {
        Properties user = new Properties();
        user.setProperty("upcert.seed", "4");
        user.setProperty("upcert.rules", "ACK-01");
        user.setProperty("upcert.profiles", "flaky-network");
        user.setProperty("unrelated", "x");
        CertifyOptions options = new CertifyOptions().set("upcert.profiles", "all").set("upcert.seeds", "3").overriddenBy(user);
        assertEquals(List.of("--profiles", "flaky-network", "--seeds", "3", "--seed", "4", "--rules", "ACK-01"), options.arguments());
    }

    @Test
    void aCommandExtensionReplacesTheProjectsJar() {
        CertifyOptions options = new CertifyOptions().set("upcert.extension", "/p/target/x.jar")
                .set("upcert.extension.cmd", "python3 ext.py");
        assertEquals(List.of("--extension-cmd", "python3 ext.py"), options.arguments());
    }

    @Test
    void onlyCertifysOptionsAreAccepted() {
        assertThrows(IllegalArgumentException.class, () -> new CertifyOptions().set("upcert.seedz", "1"));
    }
}

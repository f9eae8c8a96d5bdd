package org.upcert.harness.host.remote;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the local launchers share: where {@code setsid} is, the worker's class path. */
final class Launchers {
    static final String SETSID = "/usr/bin/setsid";

    private Launchers() {
    }

    /** Whether processes can be started as session leaders, so a kill reaches their whole group. */
    static boolean canSetsid() {
        return Files.isExecutable(Path.of(SETSID));
    }

    /** The JVM running the harness: workers use the same one. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The worker's class path: the jars (or class folders) holding the protocol, the API and
     * Jackson, found where this JVM loaded them from. In the {@code upcert} jar they are one jar.
     */
    static String workerClassPath() {
        java.util.LinkedHashSet<String> entries = new java.util.LinkedHashSet<>();
        for (Class<?> type : new Class<?>[] {org.upcert.protocol.worker.WorkerMain.class, org.upcert.api.UploadExtension.class,
                com.fasterxml.jackson.databind.ObjectMapper.class, com.fasterxml.jackson.core.JsonParser.class,
                com.fasterxml.jackson.annotation.JsonAutoDetect.class}) {
            try {
                entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (java.net.URISyntaxException | RuntimeException e) {
                throw new IllegalStateException("cannot locate the worker's class path entry of " + type.getName(), e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}

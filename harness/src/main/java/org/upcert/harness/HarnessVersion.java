package org.upcert.harness;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The harness's version, as the build stamped it; recorded in every trace header. */
public final class HarnessVersion {
    private static final String VERSION = load();

    private HarnessVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = HarnessVersion.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}

package org.upcert.conformance.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page opens in headless Chromium (Debian's {@code chromium}) and shows the marked violation:
 * what scripts/timeline-screenshot.sh does, checked. Skipped, never passed, without Chromium.
 */
class TimelineScreenshotTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    @DisplayName("headless Chromium renders the timeline page with the red mark")
    void screenshot(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no /usr/bin/chromium (apt-get install chromium)");
        Path html = dir.resolve("timeline.html");
        TimelineRenderer.write(Timeline.parse(TimelineFixture.trace()),
                List.of(TimelineMark.of(TimelineFixture.firstLine("job.failed"), "ACK-01: first failed job (test mark)")),
                html, dir.resolve("timeline.svg"));
        Path png = dir.resolve("timeline.png");
        Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--disable-gpu", "--no-sandbox",
                "--hide-scrollbars", "--user-data-dir=" + dir.resolve("profile"), "--screenshot=" + png,
                "--window-size=1600,1000", html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        if (!chromium.waitFor(60, TimeUnit.SECONDS)) {
            chromium.descendants().forEach(ProcessHandle::destroyForcibly);
            chromium.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s:\n" + log(dir));
        }
        assertTrue(Files.isRegularFile(png), "no screenshot; chromium exit " + chromium.exitValue() + ":\n" + log(dir));

        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 8 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G',
                "not a PNG");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1600, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        int red = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                int r = rgb >> 16;
                int g = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                if (r >= 200 && g <= 40 && b <= 40) {
                    red++;
                }
            }
        }
        assertTrue(colours.size() > 30, "the screenshot is (nearly) blank: " + colours.size() + " colours");
        assertTrue(red > 100, "the red mark is not in the screenshot: " + red + " red pixels");
    }

    private static String log(Path dir) throws IOException {
        Path log = dir.resolve("chromium.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }
}

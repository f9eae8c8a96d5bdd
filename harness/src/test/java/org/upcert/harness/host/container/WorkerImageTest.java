package org.upcert.harness.host.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker image's recipe, without an engine: its tag, the libraries it takes, its Dockerfile. */
class WorkerImageTest {
    @TempDir
    Path temp;

    @Test
    void theTagIsAHashOfTheInputsSoTheSameClassPathReusesTheImage() throws IOException {
        Path jar = Files.write(temp.resolve("worker.jar"), new byte[] {1, 2, 3});
        String tag = WorkerImage.of(List.of(jar)).tag();

        assertTrue(tag.matches("upcert-worker:[0-9a-f]{16}"), tag);
        assertEquals(tag, WorkerImage.of(List.of(jar)).tag(), "same inputs, another tag");

        Path copy = Files.createDirectories(temp.resolve("elsewhere")).resolve("worker.jar");
        Files.copy(jar, copy);
        assertEquals(tag, WorkerImage.of(List.of(copy)).tag(), "the same jar elsewhere is the same image");

        Path changed = Files.write(Files.createDirectories(temp.resolve("other")).resolve("worker.jar"), new byte[] {1, 2, 4});
        assertNotEquals(tag, WorkerImage.of(List.of(changed)).tag(), "other bytes, same tag");
        assertNotEquals(tag, WorkerImage.of(List.of(jar)).withModules(List.of("java.base", "java.xml")).tag(),
                "other runtime modules, same tag");
    }

    @Test
    void aClassFolderCountsByItsContents() throws IOException {
        Path classes = Files.createDirectories(temp.resolve("classes/org/example"));
        Files.write(classes.resolve("A.class"), new byte[] {9});
        String before = WorkerImage.of(List.of(temp.resolve("classes"))).tag();
        Files.write(classes.resolve("A.class"), new byte[] {8});
        assertNotEquals(before, WorkerImage.of(List.of(temp.resolve("classes"))).tag());
        assertEquals("00-classes.jar", WorkerImage.imageName(0, temp.resolve("classes")));
    }

    @Test
    void aMissingClassPathEntryIsRefusedAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> WorkerImage.of(List.of(temp.resolve("missing.jar"))));
        assertThrows(IllegalArgumentException.class, () -> WorkerImage.of(List.of()));
    }

    @Test
    void theImagePullsNothing() {
        assertTrue(WorkerImage.dockerfile().startsWith("FROM scratch\n"), WorkerImage.dockerfile());
        assertEquals(1, WorkerImage.dockerfile().lines().filter(l -> l.startsWith("FROM")).count());
    }

    @Test
    void lddOutputGivesTheHostLibrariesAndTheLoaderButNotTheRuntimesOwn() {
        Path runtime = Path.of("/tmp/ctx/rootfs/opt/java");
        String output = """
                /tmp/ctx/rootfs/opt/java/bin/java:
                \tlinux-vdso.so.1 (0x00007ffd5b5f2000)
                \tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f6268b2a000)
                \tlibjli.so => /tmp/ctx/rootfs/opt/java/bin/../lib/libjli.so (0x00007f6268b19000)
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f6268938000)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f6268b6d000)
                /tmp/ctx/rootfs/opt/java/lib/libjava.so:
                \tlibjvm.so => not found
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f3e50dd4000)
                """;
        assertEquals(List.of(Path.of("/lib/x86_64-linux-gnu/libc.so.6"), Path.of("/lib/x86_64-linux-gnu/libz.so.1"),
                Path.of("/lib64/ld-linux-x86-64.so.2")), WorkerImage.parseLdd(output, runtime));
    }

    @Test
    void classPathOfFindsTheJarsOfClasses() {
        List<Path> entries = WorkerImage.classPathOf(WorkerImageTest.class, WorkerImage.class, WorkerImageTest.class);
        assertEquals(2, entries.size(), entries.toString());
        assertThrows(IllegalArgumentException.class, () -> WorkerImage.classPathOf(String.class));
    }
}

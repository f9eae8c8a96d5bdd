package org.upcert.harness.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The app group's files are bounded in names and in number, not only in bytes (H28). */
class AppGroupFilesTest {
    @Test
    @DisplayName("a name of more than 1024 bytes of UTF-8 is refused; 1024 are not; '../' and '/etc' are names like any other")
    void namesAreBounded() {
        assertEquals("a".repeat(1024), AppGroupFiles.requireName("storage.write", "a".repeat(1024)));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> AppGroupFiles.requireName("storage.write", "a".repeat(1025)));
        assertTrue(refused.getMessage().contains("1025 bytes"), refused.getMessage());
        // 342 three-byte characters: 1026 bytes though 342 chars
        assertThrows(IllegalArgumentException.class, () -> AppGroupFiles.requireName("storage.read", "€".repeat(342)));
        assertThrows(IllegalArgumentException.class, () -> AppGroupFiles.requireName("storage.read", null));
        AppGroupFiles files = new AppGroupFiles();
        files.write("../../etc/passwd", new byte[] {1});
        files.write("/etc/passwd", new byte[] {2});
        assertEquals(java.util.List.of("../../etc/passwd"), files.list("../"));
        assertEquals(2, files.read("/etc/passwd").orElseThrow()[0], "keys of the harness's map, never paths on a disk");
    }

    @Test
    @DisplayName("every file costs its name and 256 bytes against the 256 MiB quota, so empty files cannot grow without bound")
    void emptyFilesMeetTheQuota() {
        AppGroupFiles files = new AppGroupFiles();
        String name = "f".repeat(1000);
        long each = 1000 + AppGroupFiles.FILE_OVERHEAD_BYTES;
        // one big file leaves room for exactly 1,000 empty files with 1000-byte names, and 100 bytes
        long big = AppGroupFiles.QUOTA_BYTES - 1000 * each - (3 + AppGroupFiles.FILE_OVERHEAD_BYTES) - 100;
        files.write("big", new byte[(int) big]);
        int written = 0;
        while (files.fitsWrite(String.format("%010d", written) + name.substring(10), 0)) {
            files.write(String.format("%010d", written) + name.substring(10), new byte[0]);
            written++;
        }
        assertEquals(1000, written, "the quota bounds the number of empty files");
        assertEquals(big, files.size(), "no content stored but the big file's");
        assertFalse(files.fitsAppend("another", 0), "an append that creates a file needs room for its name and overhead too");
        assertTrue(files.fitsAppend("big", 100), "appending to a file costs only its bytes");
        assertFalse(files.fitsAppend("big", 101));
    }

    @Test
    @DisplayName("the charge follows every write, overwrite, append and delete back to zero")
    void chargeFollowsChanges() {
        AppGroupFiles files = new AppGroupFiles();
        files.write("a", new byte[10]);
        assertEquals(10 + 1 + AppGroupFiles.FILE_OVERHEAD_BYTES, files.charged());
        files.write("a", new byte[4]);
        assertEquals(4 + 1 + AppGroupFiles.FILE_OVERHEAD_BYTES, files.charged());
        files.append("a", new byte[6]);
        files.append("bb", new byte[2]);
        assertEquals(10 + 1 + 2 + 2 + 2L * AppGroupFiles.FILE_OVERHEAD_BYTES, files.charged());
        assertEquals(12, files.size());
        files.delete("a");
        files.delete("bb");
        files.delete("never");
        assertEquals(0, files.charged());
        assertEquals(0, files.size());
    }
}

package org.upcert.harness.faults.profile;

/**
 * A place in a profile's source text.
 *
 * @param file the file as the user named it (or {@code catalogue:NAME} for a standard profile)
 * @param line 1-based line; 0 when the problem is with the whole source (no such file)
 * @param column 1-based column; 0 with line 0
 */
public record Location(String file, int line, int column) {

    /** The source as a whole: printed as just the file. */
    public static Location whole(String file) {
        return new Location(file, 0, 0);
    }

    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line + ":" + column;
    }
}

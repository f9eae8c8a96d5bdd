package org.upcert.harness.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The first place where a file stops being a well-formed trace: a line that is binary data
 * rather than UTF-8 text, a line that is not one JSON object, or a last line cut off mid-way (a
 * trace line always ends with a newline). Found before a trace is replayed or drawn, so a damaged
 * file is reported as damaged, at its line, and never mistaken for a run that came out different.
 *
 * <p>Blank lines are tolerated (a person may have edited the file); what the lines mean is not
 * judged here: line 1 being a header is {@link org.upcert.harness.replay.TraceHeader}'s business.
 *
 * @param line the 1-based line number; 0 when the file is empty
 * @param what what is wrong there, for people
 */
public record TraceDamage(int line, String what) {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int CHUNK = 1 << 16;

    /** {@code line N: what}, or just {@code what} for an empty file. */
    @Override
    public String toString() {
        return line == 0 ? what : "line " + line + ": " + what;
    }

    /** The first damage in {@code file}, or empty when every line is a JSON object and the last one is whole. */
    public static Optional<TraceDamage> find(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return find(in);
        }
    }

    /** The same for bytes already in memory. */
    public static Optional<TraceDamage> find(byte[] bytes) {
        try {
            return find(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new IllegalStateException("reading memory cannot fail", e);
        }
    }

    private static Optional<TraceDamage> find(InputStream in) throws IOException {
        byte[] chunk = new byte[CHUNK];
        byte[] line = new byte[256];
        int length = 0;
        int number = 0;
        boolean any = false;
        int n;
        while ((n = in.read(chunk)) > 0) {
            any = true;
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (chunk[i] != '\n') {
                    continue;
                }
                number++;
                Optional<String> problem;
                if (length == 0) {
                    problem = problem(chunk, start, i - start, false);
                } else {
                    line = append(line, length, chunk, start, i - start);
                    length += i - start;
                    problem = problem(line, 0, length, false);
                    length = 0;
                }
                if (problem.isPresent()) {
                    return Optional.of(new TraceDamage(number, problem.get()));
                }
                start = i + 1;
            }
            line = append(line, length, chunk, start, n - start);
            length += n - start;
        }
        if (!any) {
            return Optional.of(new TraceDamage(0, "the file is empty"));
        }
        if (length > 0) {
            number++;
            Optional<String> problem = problem(line, 0, length, true);
            if (problem.isPresent()) {
                return Optional.of(new TraceDamage(number, problem.get()));
            }
        }
        return Optional.empty();
    }

    private static byte[] append(byte[] line, int length, byte[] from, int offset, int count) {
        byte[] target = line;
        if (length + count > target.length) {
            target = Arrays.copyOf(target, Math.max(target.length * 2, length + count));
        }
        System.arraycopy(from, offset, target, length, count);
        return target;
    }

    /** What is wrong with one line (without its newline); {@code last} when the file ends inside it. */
    private static Optional<String> problem(byte[] bytes, int offset, int length, boolean last) {
        int end = offset + length;
        if (end > offset && bytes[end - 1] == '\r') {
            end--; // a CRLF line end, as an editor on Windows may leave it
        }
        int binaryAt = firstNonText(bytes, offset, end);
        if (binaryAt >= 0 && last && cutInsideCharacter(bytes, binaryAt, end)) {
            return Optional.of("cut off mid-line: the file ends inside this line (inside a character)");
        }
        if (binaryAt >= 0) {
            return Optional.of(String.format(java.util.Locale.ROOT, "binary data, not text (byte 0x%02x at column %d)", bytes[binaryAt] & 0xff,
                    binaryAt - offset + 1));
        }
        boolean blank = true;
        for (int i = offset; i < end && blank; i++) {
            blank = bytes[i] == ' ' || bytes[i] == '\t';
        }
        if (blank) {
            return Optional.empty();
        }
        String syntax = jsonObjectProblem(bytes, offset, end - offset);
        if (syntax == null) {
            return Optional.empty();
        }
        return Optional.of(last ? "cut off mid-line: the file ends inside this line (" + syntax + ")"
                : "not one JSON object (" + syntax + ")");
    }

    /** Null when the bytes hold exactly one JSON object; else what the parser says, on one line. */
    private static String jsonObjectProblem(byte[] bytes, int offset, int length) {
        try (JsonParser parser = JSON.createParser(bytes, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "it does not start with {";
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return "more after the object ends";
            }
            return null;
        } catch (JsonProcessingException e) {
            String message = String.valueOf(e.getOriginalMessage());
            int newline = message.indexOf('\n');
            return (newline < 0 ? message : message.substring(0, newline)).strip();
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** Whether the bytes from {@code at} to {@code end} are the start of a UTF-8 sequence that the file cut short. */
    private static boolean cutInsideCharacter(byte[] b, int at, int end) {
        int c = b[at] & 0xff;
        int extra = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
        if (extra == 0 || end - at > extra) {
            return false;
        }
        for (int k = at + 1; k < end; k++) {
            if ((b[k] & 0xc0) != 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * The index of the first byte that cannot be in a line of UTF-8 text (a control character
     * other than tab, or a malformed UTF-8 sequence), or -1.
     */
    private static int firstNonText(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    return i;
                }
                i++;
                continue;
            }
            int extra;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                extra = 1;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                extra = 2;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                extra = 3;
                min = 0x10000;
            } else {
                return i;
            }
            int code = c & (0x3f >> extra);
            for (int k = 1; k <= extra; k++) {
                if (i + k >= to) {
                    return i;
                }
                int next = b[i + k] & 0xff;
                if ((next & 0xc0) != 0x80) {
                    return i;
                }
                code = (code << 6) | (next & 0x3f);
            }
            if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
                return i;
            }
            i += extra + 1;
        }
        return -1;
    }
}

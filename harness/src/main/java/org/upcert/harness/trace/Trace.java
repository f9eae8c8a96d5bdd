package org.upcert.harness.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Writes the trace: JSON Lines, one event per line, each line {@code {"t":…,"ev":"…",…}} with the
 * remaining fields in the order the simulator writes them (fixed in code, never from a map's
 * iteration order), so the same run gives the same bytes.
 *
 * <p>Streaming on purpose: a 10,000-asset run writes ~10<sup>5</sup> lines, and building a tree
 * per event would be the simulator's largest cost.
 *
 * <p>URLs are written relative to registered origins ({@code http://127.0.0.1:53124} becomes
 * {@code {cloud}}): the stub's port changes from run to run, the trace must not.
 *
 * <p>Not thread-safe: only the simulator, holding its lock, writes.
 */
public final class Trace implements Closeable {
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper HEADER_MAPPER = new ObjectMapper();

    private final OutputStream out;
    private final ByteArrayOutputStream memory;
    private final JsonGenerator json;
    private final List<String[]> origins = new ArrayList<>();
    private final Line line = new Line();
    private long events;
    private boolean open;

    private Trace(OutputStream out, ByteArrayOutputStream memory) {
        this.out = out;
        this.memory = memory;
        try {
            this.json = JSON.createGenerator(out, JsonEncoding.UTF8);
            json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            json.configure(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM, false);
            json.setRootValueSeparator(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A trace written to {@code file} (parent folders created). */
    public static Trace toFile(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            return new Trace(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write trace " + file + ": " + e.getMessage(), e);
        }
    }

    /** A trace kept in memory; {@link #text()} returns it. For tests and short runs. */
    public static Trace inMemory() {
        ByteArrayOutputStream memory = new ByteArrayOutputStream();
        return new Trace(memory, memory);
    }

    /** Writes URLs starting with {@code origin} as {@code placeholder} + the rest. */
    public void registerOrigin(String origin, String placeholder) {
        origins.add(new String[] {origin, placeholder});
    }

    /** The URL as the trace writes it. */
    public String relativize(String url) {
        for (String[] origin : origins) {
            if (url.startsWith(origin[0])) {
                return origin[1] + url.substring(origin[0].length());
            }
        }
        return url;
    }

    /**
     * Free text (an extension's log line) as the trace writes it: every registered origin in it, wherever
     * it stands, replaced by its placeholder, the longest origin first. An extension that logs a URL it
     * was given (uploadUrlBase, the host app's server) would otherwise write the stub's port, which
     * differs from run to run over loopback and between transports.
     */
    public String relativizeText(String text) {
        if (origins.isEmpty() || text.indexOf("://") < 0) {
            return text;
        }
        List<String[]> longestFirst = new ArrayList<>(origins);
        longestFirst.sort((a, b) -> Integer.compare(b[0].length(), a[0].length()));
        String out = text;
        for (String[] origin : longestFirst) {
            out = out.replace(origin[0], origin[1]);
        }
        return out;
    }

    /**
     * Writes the header line. {@code header} must be an ordered map (LinkedHashMap or TreeMap) of
     * JSON-compatible values; records and enums are fine.
     */
    public void header(Map<String, ?> header) {
        try {
            json.flush();
            out.write(HEADER_MAPPER.writeValueAsBytes(header));
            out.write('\n');
            events++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts an event line at virtual time {@code t}; finish it with {@link Line#end()}. */
    public Line at(long t, String event) {
        if (open) {
            throw new IllegalStateException("previous trace line not ended");
        }
        open = true;
        try {
            json.writeStartObject();
            json.writeNumberField("t", t);
            json.writeStringField("ev", event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return line;
    }

    /** Lines written so far, header included. */
    public long events() {
        return events;
    }

    /** The whole trace, for an in-memory trace. */
    public String text() {
        if (memory == null) {
            throw new IllegalStateException("not an in-memory trace");
        }
        flush();
        return memory.toString(StandardCharsets.UTF_8);
    }

    public void flush() {
        try {
            json.flush();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            json.flush();
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fields of one event line, in the order they are added. */
    public final class Line {
        public Line str(String name, String value) {
            try {
                if (value == null) {
                    json.writeNullField(name);
                } else {
                    json.writeStringField(name, value);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Line num(String name, long value) {
            try {
                json.writeNumberField(name, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Line bool(String name, boolean value) {
            try {
                json.writeBooleanField(name, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Line url(String name, URI value) {
            return str(name, value == null ? null : relativize(value.toString()));
        }

        public Line strs(String name, Collection<String> values) {
            try {
                json.writeArrayFieldStart(name);
                for (String value : values) {
                    json.writeString(value);
                }
                json.writeEndArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        /** A flat object of string fields, in the map's own order (pass a sorted map). */
        public Line map(String name, Map<String, String> values) {
            try {
                json.writeObjectFieldStart(name);
                for (Map.Entry<String, String> entry : values.entrySet()) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        /** Ends the line. */
        public void end() {
            try {
                json.writeEndObject();
                json.writeRaw('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            open = false;
            events++;
        }
    }
}

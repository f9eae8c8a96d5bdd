package org.upcert.protocol;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.BiConsumer;
import org.upcert.api.UploadJob;
import org.upcert.api.API;

/**
 * A job as the extension sees it, whose {@code responseHeaderFields} notice how they are read. The
 * system lowercases header names (Apple's documentation says so); an extension that looks one up
 * by another spelling ({@code "X-Goog-Upload-Token"}) finds nothing on a device, and here the
 * lookup is also reported, so rule CLD-01 can name the mistake on every cloud dialect. Lookups
 * are counted too: a rule about reading headers is exercised only if headers were read.
 *
 * <p>Reading the map whole — iterating its entries, keys or values, which is what a copy does
 * ({@code new HashMap<>(headers)}, {@code Map.copyOf}, {@code putAll}, {@code forEach}), or
 * taking a sub-map view — is reported as a read of the whole map ({@link #WHOLE} in place of a
 * name): the extension read the headers, even if its later lookups go to a copy upcert cannot
 * watch. (Before, a copy made an extension that reads headers look as if it never did: CLD-01
 * was left NOT_APPLICABLE on a one-phase cloud.) Lookups on such a copy are not seen, so their
 * spelling is judged only by what follows from them (a two-phase upload never committed).
 *
 * <p>Shared by the harness (in-process hosting) and the JVM worker, so a lookup counts the same
 * way in every isolation mode.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class WatchedHeaders {
    private WatchedHeaders() {
    }

    /** Called for each lookup: (job id, name as the extension spelled it, or {@link #WHOLE}). */
    public interface Reader extends BiConsumer<String, Object> {
    }

    /** In place of a name: the extension read the whole map (iterated it, copied it, took a view of it). */
    public static final Object WHOLE = new Object() {
        @Override
        public String toString() {
            return "<whole map>";
        }
    };

    public static UploadJob watch(UploadJob job, Reader reader) {
        if (job.responseHeaderFields().isEmpty()) {
            return job;
        }
        return new Job(job, new Headers(job.localIdentifier(), job.responseHeaderFields().get(), reader));
    }

    /** The job as it was before {@link #watch}: reading its headers reports nothing. */
    public static UploadJob unwatched(UploadJob job) {
        return job instanceof Job watched ? watched.job() : job;
    }

    /** The job, its headers watched ({@link #unwatched} gives back the plain snapshot for the job store's lookups). */
    private static final class Job extends ForwardingUploadJob {
        private final Headers headers;

        Job(UploadJob job, Headers headers) {
            super(job);
            this.headers = headers;
        }

        @Override
        public Optional<SortedMap<String, String>> responseHeaderFields() {
            return Optional.of(headers);
        }
    }

    /**
     * An unmodifiable view that reports every lookup by key, and every read of the whole map
     * (entries, keys, values, a sub-map, first or last key) as {@link #WHOLE}: the map is read,
     * though no name can be misspelled. {@code size}, {@code isEmpty}, {@code equals},
     * {@code hashCode} and {@code toString} read no header.
     */
    private static final class Headers implements SortedMap<String, String> {
        private final String job;
        private final SortedMap<String, String> map;
        private final Reader reader;

        Headers(String job, SortedMap<String, String> map, Reader reader) {
            this.job = job;
            this.map = java.util.Collections.unmodifiableSortedMap(map);
            this.reader = reader;
        }

        private void looked(Object key) {
            reader.accept(job, key);
        }

        @Override
        public String get(Object key) {
            looked(key);
            return map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            looked(key);
            return map.containsKey(key);
        }

        @Override
        public String getOrDefault(Object key, String fallback) {
            looked(key);
            return map.getOrDefault(key, fallback);
        }

        @Override
        public Comparator<? super String> comparator() {
            return map.comparator();
        }

        @Override
        public SortedMap<String, String> subMap(String from, String to) {
            looked(WHOLE);
            return map.subMap(from, to);
        }

        @Override
        public SortedMap<String, String> headMap(String to) {
            looked(WHOLE);
            return map.headMap(to);
        }

        @Override
        public SortedMap<String, String> tailMap(String from) {
            looked(WHOLE);
            return map.tailMap(from);
        }

        @Override
        public String firstKey() {
            looked(WHOLE);
            return map.firstKey();
        }

        @Override
        public String lastKey() {
            looked(WHOLE);
            return map.lastKey();
        }

        @Override
        public Set<String> keySet() {
            looked(WHOLE);
            return map.keySet();
        }

        @Override
        public Collection<String> values() {
            looked(WHOLE);
            return map.values();
        }

        @Override
        public Set<Map.Entry<String, String>> entrySet() {
            looked(WHOLE);
            return map.entrySet();
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public boolean containsValue(Object value) {
            looked(WHOLE);
            return map.containsValue(value);
        }

        @Override
        public String put(String key, String value) {
            throw new UnsupportedOperationException("responseHeaderFields is read-only");
        }

        @Override
        public String remove(Object key) {
            throw new UnsupportedOperationException("responseHeaderFields is read-only");
        }

        @Override
        public void putAll(Map<? extends String, ? extends String> other) {
            throw new UnsupportedOperationException("responseHeaderFields is read-only");
        }

        @Override
        public void clear() {
            throw new UnsupportedOperationException("responseHeaderFields is read-only");
        }

        @Override
        public boolean equals(Object other) {
            return map.equals(other);
        }

        @Override
        public int hashCode() {
            return map.hashCode();
        }

        @Override
        public String toString() {
            return map.toString();
        }
    }

    /** Whether the extension spelled a header name as the system presents it (lowercase). */
    public static boolean lowercase(Object key) {
        return key == WHOLE || key instanceof String name && name.equals(name.toLowerCase(Locale.ROOT));
    }
}

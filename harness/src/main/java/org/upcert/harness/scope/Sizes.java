package org.upcert.harness.scope;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** File sizes as a scope file writes them: {@code 100 MB} (decimal units), {@code 60 MiB} (binary), or bytes. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([A-Za-z]*)");
    private static final Map<String, Long> UNITS = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        UNITS.put("", 1L);
        UNITS.put("B", 1L);
        UNITS.put("KB", 1_000L);
        UNITS.put("MB", 1_000_000L);
        UNITS.put("GB", 1_000_000_000L);
        UNITS.put("KiB", 1L << 10);
        UNITS.put("MiB", 1L << 20);
        UNITS.put("GiB", 1L << 30);
    }

    private Sizes() {
    }

    /** The byte count {@code text} names, or empty if it is not a size. */
    static OptionalLong parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        Long unit = UNITS.get(m.group(2));
        if (unit == null) {
            return OptionalLong.empty();
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(bytes.longValue());
    }

    /** {@code 100 MB}, {@code 60 MiB}, or {@code 1234 bytes}. */
    static String format(long bytes) {
        if (bytes >= 1_000_000_000L && bytes % 1_000_000_000L == 0) {
            return bytes / 1_000_000_000L + " GB";
        }
        if (bytes >= 1_000_000L && bytes % 1_000_000L == 0) {
            return bytes / 1_000_000L + " MB";
        }
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + " MiB";
        }
        if (bytes >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f MB (%d bytes)", bytes / 1e6, bytes);
        }
        return bytes + " bytes";
    }
}

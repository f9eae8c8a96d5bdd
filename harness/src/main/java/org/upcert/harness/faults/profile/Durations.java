package org.upcert.harness.faults.profile;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as profiles write them: a sequence of number-unit parts ({@code 500ms}, {@code 90s},
 * {@code 5m}, {@code 1h30m}, {@code 1.5h}, {@code 2d}) or a whole number of milliseconds. The
 * pattern is the one in {@code profile.schema.json}'s {@code duration}.
 */
public final class Durations {
    /** A whole duration string; the same expression as the schema's. */
    public static final Pattern PATTERN = Pattern.compile("^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$");
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)");
    /** Ten years: longer is a typo, and keeps every sum of durations far from overflow. */
    public static final long MAX_MILLIS = 10L * 365 * 24 * 3_600_000;

    private Durations() {
    }

    /**
     * The duration in milliseconds, or empty if {@code text} is not a duration, has a fraction
     * of a millisecond, or exceeds {@link #MAX_MILLIS}.
     */
    public static OptionalLong parse(String text) {
        if (text == null || !PATTERN.matcher(text).matches()) {
            return OptionalLong.empty();
        }
        Matcher part = PART.matcher(text);
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        while (part.find()) {
            java.math.BigDecimal number = new java.math.BigDecimal(part.group(1));
            long unit = switch (part.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            total = total.add(number.multiply(java.math.BigDecimal.valueOf(unit)));
        }
        if (total.compareTo(java.math.BigDecimal.valueOf(MAX_MILLIS)) > 0) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(total.longValueExact());
        } catch (ArithmeticException fractionOfAMillisecond) {
            return OptionalLong.empty();
        }
    }

    /** The shortest exact rendering: {@code 0s}, {@code 500ms}, {@code 90s} → {@code 1m30s}, {@code 1h}, {@code 2d3h}. */
    public static String format(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("negative duration: " + millis);
        }
        if (millis == 0) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long rest = millis;
        long[] units = {86_400_000, 3_600_000, 60_000, 1_000, 1};
        String[] names = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            long n = rest / units[i];
            if (n > 0) {
                text.append(n).append(names[i]);
                rest -= n * units[i];
            }
        }
        return text.toString();
    }
}

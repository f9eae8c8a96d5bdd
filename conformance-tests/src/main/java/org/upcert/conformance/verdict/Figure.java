package org.upcert.conformance.verdict;

import java.util.Locale;
import java.util.Objects;

/**
 * The number a SHOULD rule reports instead of failing: an idle-capacity ratio, a duplicate-bytes
 * ratio, a p99 call duration. Figures of several runs combine by their {@link Kind}: ratios and
 * averages pool their numerators and denominators (so a big run weighs more than a small one),
 * counts add up, maxima take the largest.
 *
 * @param label what is measured, e.g. {@code "idle capacity"}
 * @param kind how the figure combines across runs and how it prints
 * @param numerator the measured amount (for MAXIMUM and COUNT, the value itself)
 * @param denominator the base of a RATIO; 1 otherwise
 * @param unit printed after the value of a COUNT or MAXIMUM ({@code "ms"}, {@code "calls"})
 */
public record Figure(String label, Kind kind, double numerator, double denominator, String unit) {

    /** How a figure combines across runs. */
    public enum Kind { RATIO, COUNT, MAXIMUM, AVERAGE }

    public Figure {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(unit, "unit");
        if ((kind == Kind.RATIO || kind == Kind.AVERAGE) && denominator < 0) {
            throw new IllegalArgumentException("a ratio needs a non-negative denominator: " + denominator);
        }
    }

    public static Figure ratio(String label, double numerator, double denominator) {
        return new Figure(label, Kind.RATIO, numerator, denominator, "");
    }

    public static Figure count(String label, double count, String unit) {
        return new Figure(label, Kind.COUNT, count, 1, unit);
    }

    /** A mean: {@code total} over {@code of} occasions, printed in {@code unit} ("4.5 changes per notice"). */
    public static Figure average(String label, double total, double of, String unit) {
        return new Figure(label, Kind.AVERAGE, total, of, unit);
    }

    public static Figure maximum(String label, double value, String unit) {
        return new Figure(label, Kind.MAXIMUM, value, 1, unit);
    }

    /** The value: a fraction for ratios (0 when the denominator is 0), else the number. */
    public double value() {
        return kind == Kind.RATIO || kind == Kind.AVERAGE ? (denominator == 0 ? 0 : numerator / denominator) : numerator;
    }

    /** This figure and another of the same rule, combined. */
    public Figure combine(Figure other) {
        if (other.kind != kind) {
            throw new IllegalArgumentException("cannot combine a " + kind + " with a " + other.kind);
        }
        return switch (kind) {
            case RATIO, AVERAGE -> new Figure(label, kind, numerator + other.numerator, denominator + other.denominator, unit);
            case COUNT -> new Figure(label, kind, numerator + other.numerator, 1, unit);
            case MAXIMUM -> new Figure(label, kind, Math.max(numerator, other.numerator), 1, unit);
        };
    }

    /** For people: {@code "idle capacity 12.5% (250 of 2000)"}, {@code "p99 call duration 840 ms"}. */
    @Override
    public String toString() {
        return switch (kind) {
            case RATIO -> String.format(Locale.ROOT, "%s %.1f%% (%s of %s)", label, 100 * value(), plain(numerator),
                    plain(denominator));
            case AVERAGE -> label + " " + plain(Math.round(value() * 100) / 100.0) + (unit.isEmpty() ? "" : " " + unit) + " ("
                    + plain(numerator) + " over " + plain(denominator) + ")";
            case COUNT, MAXIMUM -> label + " " + plain(numerator) + (unit.isEmpty() ? "" : " " + unit);
        };
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value);
    }
}

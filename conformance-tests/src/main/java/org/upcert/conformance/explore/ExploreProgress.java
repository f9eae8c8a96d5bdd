package org.upcert.conformance.explore;

import java.io.PrintStream;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The live line of an exploration on a terminal, as certify's: a bar over the seeds (or over the
 * time budget), runs done, rules failed and runs skipped so far. Rewritten in place at most every
 * 100 ms; cleared by {@link #clear()}.
 */
public final class ExploreProgress implements Explorer.Listener {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final int seeds;
    private final long budgetMillis;
    private final long startedNanos = System.nanoTime(); // wall-clock ok: progress display only
    private final TreeSet<String> failed = new TreeSet<>();
    private long lastPrint;
    private int skipped;

    /** A line for {@code seeds} runs, or (seeds 0) for a budget of {@code budgetMillis}, or (both) whichever ends first. */
    public ExploreProgress(PrintStream out, int seeds, long budgetMillis) {
        this.out = out;
        this.seeds = seeds;
        this.budgetMillis = budgetMillis;
    }

    @Override
    public synchronized void finished(Explorer.Run run, int done) {
        run.failures().forEach(f -> failed.add(f.rule().id()));
        if (run.skipped() != null) {
            skipped++;
        }
        long now = System.nanoTime(); // wall-clock ok
        if (now - lastPrint < 100_000_000L && done != seeds) {
            return;
        }
        lastPrint = now;
        double elapsed = (now - startedNanos) / 1e9;
        double ofBudget = budgetMillis > 0 ? Math.min(1, elapsed * 1000 / budgetMillis) : 0;
        double fraction = seeds > 0 ? Math.max(done / (double) seeds, ofBudget) : ofBudget; // a range with a budget: whichever ends first
        int filled = (int) Math.round(Math.min(1, fraction) * WIDTH);
        String left = fraction <= 0 ? "?" : String.format(Locale.ROOT, "%.0f s", Math.max(0, elapsed / fraction - elapsed));
        out.print(String.format(Locale.ROOT, "\r  explore [%s%s] %d%s runs · %d rule%s failed%s · %d skipped · ~%s left ",
                "#".repeat(filled), "-".repeat(WIDTH - filled), done, seeds > 0 ? "/" + seeds : "", failed.size(),
                failed.size() == 1 ? "" : "s", failed.isEmpty() ? "" : " (" + String.join(",", failed) + ")", skipped, left));
        out.flush();
    }

    @Override
    public synchronized void shrinking(String ruleId, long seed) {
        out.print("\r" + " ".repeat(110) + "\r  shrinking " + ruleId + " (seed " + seed + ") ");
        out.flush();
    }

    public synchronized void clear() {
        out.print("\r" + " ".repeat(110) + "\r");
        out.flush();
    }
}

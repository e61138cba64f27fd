package dev.kctx.cli;

import dev.kctx.contexts.TimeFormat;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A one-line progress bar on stderr for long runs: virtual time simulated out of the time asked
 * for (or, for a sweep, the runs finished out of all). On a terminal it is redrawn in place with a
 * carriage return and erased when the run ends; elsewhere (a log file, a CI job) it is written as
 * a whole line every {@link #LINE_PERIOD_MS}, so that a long run is never silent. It appears only after
 * {@link #DEFAULT_AFTER_MS} of wall time, so short runs never show it. The engine tells it the
 * virtual time reached ({@link #accept}); a daemon thread of its own draws, so the engine's
 * actors never wait for the terminal. Wall-clock time decides only whether and when to draw,
 * never anything a run produces.
 */
final class ProgressBar implements LongConsumer, AutoCloseable {
    /** Runs shorter than this (wall time) show no bar. */
    static final long DEFAULT_AFTER_MS = 2000;
    /** Tests set this system property (milliseconds) to see the bar at once. */
    static final String AFTER_PROPERTY = "kctx.progress.after";
    private static final long PERIOD_MS = 200;
    /** Off a terminal: one line this often. */
    static final long LINE_PERIOD_MS = 10_000;
    private static final int BAR = 24;
    private static final int MAX_LABEL = 32;

    private final PrintWriter err;
    private final String label;
    private final long total;
    /** Null: the bar counts virtual time; else what it counts, e.g. {@code runs}. */
    private final String unit;
    private final AtomicLong reached = new AtomicLong();
    /** Redrawn in place (a terminal), or written as whole lines. */
    private final boolean inPlace;
    private ScheduledExecutorService timer;
    /** Length of the line on screen, 0 when nothing is drawn; guarded by this. */
    private int shown;
    private boolean closed;

    private final long startedWallNs = System.nanoTime();

    ProgressBar(PrintWriter err, String label, long untilNs) {
        this(err, label, untilNs, null, true);
    }

    ProgressBar(PrintWriter err, String label, long total, String unit) {
        this(err, label, total, unit, true);
    }

    ProgressBar(PrintWriter err, String label, long total, String unit, boolean inPlace) {
        this.err = err;
        this.inPlace = inPlace;
        this.unit = unit;
        this.label = label.length() > MAX_LABEL ? "..." + label.substring(label.length() - MAX_LABEL + 3) : label;
        this.total = total;
    }

    /** Whether to show a bar: as the option says ({@code --[no-]progress}), else yes, terminal or not. */
    static boolean wanted(Boolean option) {
        return option == null || option;
    }

    /** Whether stderr is a terminal, where the bar is drawn in place. */
    static boolean terminal() {
        return System.console() != null;
    }

    /** A bar for one run that starts drawing after the configured delay (now, when it is 0). */
    static ProgressBar start(PrintWriter err, String label, long untilNs) {
        return start(new ProgressBar(err, label, untilNs, null, terminal()));
    }

    /** A bar that counts {@code total} things ({@code unit}, e.g. runs) instead of virtual time. */
    static ProgressBar startCounting(PrintWriter err, String label, long total, String unit) {
        return start(new ProgressBar(err, label, total, unit, terminal()));
    }

    private static ProgressBar start(ProgressBar bar) {
        long after = Long.getLong(AFTER_PROPERTY, DEFAULT_AFTER_MS);
        if (after <= 0) {
            bar.draw();
        }
        bar.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kctx-progress");
            t.setDaemon(true);
            return t;
        });
        long period = bar.inPlace ? PERIOD_MS : LINE_PERIOD_MS;
        bar.timer.scheduleAtFixedRate(bar::draw, after <= 0 ? period : Math.max(after, PERIOD_MS), period, TimeUnit.MILLISECONDS);
        return bar;
    }

    /** The virtual time the run has reached (called from the engine). */
    @Override
    public void accept(long ns) {
        reached.set(ns);
    }

    /**
     * The line as it is drawn, e.g. {@code examples/x.yaml [######......]  25%  2.5ms / 10ms virtual, 3s}:
     * the virtual time reached and asked for, and the wall time so far (machine start-up shows as 0%).
     */
    String line(long wallSeconds) {
        long now = Math.min(reached.get(), total);
        int filled = (int) (BAR * (double) now / total);
        int percent = (int) (100 * (double) now / total);
        String amount = unit == null ? approx(now) + " / " + TimeFormat.format(total) + " virtual"
                : now + " / " + total + " " + unit;
        return String.format(Locale.ROOT, "%s [%s%s] %3d%%  %s, %ds", label, "#".repeat(filled),
                ".".repeat(BAR - filled), percent, amount, wallSeconds);
    }

    /** Three significant digits or so, so that the line does not jitter: {@code 1.17s}, {@code 236.3ms}. */
    static String approx(long ns) {
        if (ns >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2fs", ns / 1e9);
        }
        if (ns >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1fms", ns / 1e6);
        }
        if (ns >= 1_000L) {
            return String.format(Locale.ROOT, "%.1fus", ns / 1e3);
        }
        return ns + "ns";
    }

    synchronized void draw() {
        if (closed) {
            return;
        }
        String l = line(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedWallNs));
        if (!inPlace) {
            err.println(l);
            err.flush();
            return;
        }
        // Pad over what a longer previous line left on screen.
        err.print("\r" + l + " ".repeat(Math.max(0, shown - l.length())));
        err.flush();
        shown = Math.max(shown, l.length());
    }

    /** Stops drawing and erases the line, so that what follows starts on a clean line. */
    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
        if (shown > 0) {
            err.print("\r" + " ".repeat(shown) + "\r");
            err.flush();
            shown = 0;
        }
    }
}

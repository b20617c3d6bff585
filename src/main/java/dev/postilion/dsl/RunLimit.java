package dev.postilion.dsl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import dev.postilion.smtp.Timeouts;

/**
 * The wall-clock limit of one run, from {@code --max-time} or the script's {@code maxTime}: the
 * shorter wins, counted from the start of the run. The thread that started the run waits on it;
 * when the limit passes it calls {@link #stop()}, which runs what the script registered (a running
 * batch stops and forces its journal to disk; the open connection is closed), and from then on
 * every SMTP verb refuses to go on.
 *
 * <p>This is cooperative only as a courtesy: a script in a tight loop ({@code while (true) {}})
 * never reaches a verb, so the guarantee is that the runner stops waiting and the process exits
 * with 75. Groovy's {@code @TimedInterrupt} and thread interrupts are not relied upon (a script's
 * own {@code catch} swallows them).
 */
final class RunLimit {

    private final long started;
    private long deadline = Long.MAX_VALUE;
    private boolean limited;
    private String source;
    private boolean finished;
    private volatile boolean stopped;
    private volatile String interruption;
    private final List<Supplier<String>> onStop = new ArrayList<>();

    RunLimit(long startedNanos) {
        this.started = startedNanos;
    }

    /** Limits the run to {@code limit} after its start, unless a shorter limit is already set; {@code named} says who set it. */
    synchronized void limit(Duration limit, String named) {
        long d = started + Math.max(1, limit.toNanos());
        if (!limited || d - deadline < 0) {
            deadline = d;
            limited = true;
            source = named;
            notifyAll();
        }
    }

    /** How the limit in force was set ({@code --max-time 10m}), or null when there is none. */
    synchronized String source() {
        return source;
    }

    /**
     * Stops the run now, from another thread (a signal), as if its limit had passed; {@code why}
     * replaces "the run took longer than ..." in every message.
     */
    synchronized void interrupt(String why) {
        if (finished) {
            return;
        }
        interruption = why;
        deadline = System.nanoTime();
        limited = true;
        notifyAll();
    }

    /** The run ended (normally or not): the waiting thread goes on. */
    synchronized void finished() {
        finished = true;
        notifyAll();
    }

    /**
     * Waits until the run finishes or its limit passes.
     *
     * @return true when the run finished in time
     */
    synchronized boolean awaitEnd() {
        boolean interrupted = false;
        try {
            while (!finished) {
                if (!limited) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits at most {@code grace} more for the run to finish; true when it did. */
    synchronized boolean awaitEnd(Duration grace) {
        long until = System.nanoTime() + grace.toNanos();
        while (!finished) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return finished;
            }
        }
        return true;
    }

    /**
     * Registers something to do when the limit passes (stop a batch, close a connection); it may
     * return a note for the user (where the journal is), or null.
     *
     * @return a handle that unregisters it
     */
    synchronized Registration onStop(Supplier<String> action) {
        onStop.add(action);
        return () -> {
            synchronized (RunLimit.this) {
                onStop.remove(action);
            }
        };
    }

    /** The limit passed: runs every registered action and returns their notes. */
    List<String> stop() {
        List<Supplier<String>> actions;
        synchronized (this) {
            stopped = true;
            actions = new ArrayList<>(onStop);
        }
        List<String> notes = new ArrayList<>();
        for (Supplier<String> a : actions) {
            try {
                String note = a.get();
                if (note != null) {
                    notes.add(note);
                }
            } catch (RuntimeException e) {
                notes.add("could not stop cleanly: " + e.getMessage());
            }
        }
        return notes;
    }

    /** An action registered with {@link #onStop}; closing it unregisters it. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** True when the run was stopped from outside ({@link #interrupt}), not by its limit. */
    boolean interrupted() {
        return interruption != null;
    }

    /** True once the limit has passed. */
    boolean stopped() {
        return stopped;
    }

    /** Why the run was stopped: {@code the run took longer than --max-time 10m}. */
    String reason() {
        String why = interruption;
        if (why != null) {
            return why;
        }
        return "the run took longer than " + source();
    }

    /** What a verb called after the limit says. */
    String why() {
        return "stopped: " + reason();
    }

    /** The script's {@code maxTime '50m'}: a duration longer than 0, or the author's mistake at {@code at}. */
    static Duration scriptLimit(String duration, ScriptLocation at) {
        Duration d = ScriptError.duration(at, "maxTime", duration);
        if (d.isZero()) {
            throw new ScriptError(at, "maxTime: the limit must be longer than 0 ('30m', '1h')");
        }
        return d;
    }

    /** {@code --max-time 10m} as the user wrote it, normalised. */
    static String named(String what, Duration limit) {
        return what + " " + Timeouts.describe(limit);
    }
}

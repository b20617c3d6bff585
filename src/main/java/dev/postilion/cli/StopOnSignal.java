package dev.postilion.cli;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.postilion.dsl.ScriptRunner;

/**
 * While a script runs, turns the JVM's shutdown (SIGTERM from systemd or a cron timeout, SIGINT
 * from Ctrl-C; the launcher forwards both) into the run's own stop (BAT-06): a running batch stops
 * and forces its journal to disk, a message still being written never gets its final dot, the
 * connection is closed, the usual message names the script line, and the process exits 75 rather
 * than the JVM's 143. If the run does not end within the grace period the process exits 75 anyway.
 */
final class StopOnSignal implements AutoCloseable {

    /** What the user reads after {@code file:line: stopped: }. */
    static final String WHY = "the run was asked to stop (SIGTERM or Ctrl-C)";

    private final Thread hook;
    private final CountDownLatch reported = new CountDownLatch(1);
    private volatile int code = ExitCode.TEMPFAIL.code();

    private StopOnSignal(ScriptRunner runner, PrintStream out, PrintStream err) {
        hook = new Thread(() -> {
            runner.stop(WHY);
            try {
                // The run's own stop waits up to GRACE for the script; then the problems are printed.
                reported.await(ScriptRunner.GRACE.toMillis() + 3000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.flush();
            err.flush();
            // System.exit cannot be called during shutdown; halt ends it with our code.
            Runtime.getRuntime().halt(code == ExitCode.OK.code() ? ExitCode.TEMPFAIL.code() : code);
        }, "postilion-stop-on-signal");
    }

    /** Installs the hook for one run; close it when the run is over. */
    static StopOnSignal install(ScriptRunner runner, PrintStream out, PrintStream err) {
        StopOnSignal s = new StopOnSignal(runner, out, err);
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    /** The run's exit code is known and its messages are printed; returns the code. */
    int report(int exitCode) {
        code = exitCode;
        reported.countDown();
        return exitCode;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Shutting down already: the hook is running and will end the process.
        }
    }
}

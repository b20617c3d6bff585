package dev.postilion.dsl;

import groovy.lang.Binding;
import groovy.lang.MissingMethodException;
import groovy.lang.MissingPropertyException;
import groovy.lang.Script;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.messages.ExceptionMessage;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SimpleMessage;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.runtime.InvokerHelper;
import org.codehaus.groovy.runtime.InvokerInvocationException;
import org.codehaus.groovy.syntax.SyntaxException;

import dev.postilion.smtp.SmtpException;

/**
 * Compiles a script with {@link MailScript} as its base class, runs it, and turns every failure
 * into {@link Problem}s that name the script line: all compile errors at once, the first runtime
 * failure otherwise, or every mistake in a {@code --dry-run}. The connection is closed with QUIT
 * whatever happens.
 */
public final class ScriptRunner {

    /** How long a stopped run gets to end cleanly (QUIT, a batch's report) before the caller exits anyway. */
    public static final java.time.Duration GRACE = java.time.Duration.ofSeconds(2);

    /** The run in progress, for {@link #stop}. */
    private volatile RunLimit current;

    /** What went wrong, by kind of exit. */
    public enum Category {
        /** Compile error or author mistake (65). */
        SCRIPT,
        /** A named file is missing (66). */
        MISSING_FILE,
        /** Profile, secret or TLS configuration (78). */
        CONFIG,
        /** Local I/O (74). */
        LOCAL_IO,
        /** The command line contradicts the files: {@code --resume} with no journal, an output that is the journal (64). */
        USAGE,
        /** An SMTP step failed: see {@link Problem#smtpKind()}. */
        SMTP,
        /** An {@code assert} in the script failed (69: a check the server did not pass). */
        ASSERTION,
        /** A bug (70). */
        INTERNAL,
        /** The run took longer than its time limit (--max-time, maxTime) and was stopped (75). */
        TIME_LIMIT,
        /** A batch ended with items not sent: {@link Problem#smtpKind()} is TEMPORARY (deferred or in doubt, 75),
         * PERMANENT (failed, 69) or INPUT (only invalid rows, 65). */
        BATCH
    }

    /**
     * One problem, with its user-facing message (location first).
     *
     * @param smtpKind for {@link Category#SMTP}, the engine's kind; otherwise null
     */
    public record Problem(Category category, SmtpException.Kind smtpKind, String message, Throwable cause) {
    }

    /** The outcome of a run: no problems means success. */
    public record Result(List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Runs a script file. */
    public Result run(Path script, RunOptions options) {
        String name = script.getFileName().toString();
        String source;
        try {
            source = Files.readString(script, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return fail(Category.MISSING_FILE, null, "script " + script + " does not exist", e);
        } catch (IOException e) {
            return fail(Category.MISSING_FILE, null, "cannot read script " + script + ": " + e.getMessage(), e);
        }
        Path dir = script.toAbsolutePath().getParent();
        return run(source, name, dir, options);
    }

    /**
     * Stops the run in progress from another thread (the CLI does it on SIGTERM or Ctrl-C), as at
     * its time limit: a running batch stops and forces its journal to disk, a message being
     * written never gets its final dot, the open connection is closed, and {@code run} returns a
     * problem saying {@code why} (exit 75). Does nothing when no run is in progress.
     */
    public void stop(String why) {
        RunLimit l = current;
        if (l != null) {
            l.interrupt(why);
        }
    }

    /** Runs script text; {@code name} is the file name shown in messages, {@code dir} resolves relative files. */
    public Result run(String source, String name, Path dir, RunOptions options) {
        RunLimit limit = new RunLimit(System.nanoTime());
        current = limit;
        if (options.maxTime() != null) {
            limit.limit(options.maxTime(), RunLimit.named("--max-time", options.maxTime()));
        }
        CompilerConfiguration config = new CompilerConfiguration();
        config.setScriptBaseClass(MailScript.class.getName());
        config.setSourceEncoding("UTF-8");
        Binding binding = new Binding();
        Map<String, Object> vars = new LinkedHashMap<>(options.vars());
        vars.forEach(binding::setVariable);
        binding.setVariable("vars", Map.copyOf(options.vars()));
        binding.setVariable("args", options.args());
        Script compiled;
        try {
            Class<?> cls = ScriptCache.from(options.env()).scriptClass(source, name, config);
            compiled = InvokerHelper.createScript(cls, binding);
        } catch (MultipleCompilationErrorsException e) {
            return new Result(compileProblems(name, e));
        }
        StandInServer standIn = null;
        RunOptions effective = options;
        try {
            if (options.dryRun()) {
                standIn = new StandInServer();
                effective = options.withConnectTo(standIn.host(), standIn.port());
                options.transcript().info("--dry-run: every connect goes to a local stand-in; nothing is sent");
            }
        } catch (IOException e) {
            return fail(Category.LOCAL_IO, null, "cannot start the dry-run stand-in server: " + e.getMessage(), e);
        }
        MailScript mail = (MailScript) compiled;
        ScriptContext context = new ScriptContext(effective, name, dir, limit);
        mail.attach(context);
        List<Problem> problems = new ArrayList<>();
        StandInServer standInToClose = standIn;
        // The script runs on its own thread, so that this one can stop waiting at the run's time
        // limit even when the script never returns (a tight loop reaches no verb to stop it).
        Thread worker = new Thread(() -> {
            try {
                mail.run();
            } catch (Throwable t) {
                Problem p = translate(name, unwrap(t));
                synchronized (problems) {
                    problems.add(p);
                }
            } finally {
                try {
                    mail.finish();
                } catch (RuntimeException e) {
                    // The script's own failure, if any, is what the user needs to see.
                }
                if (standInToClose != null) {
                    try {
                        standInToClose.close();
                    } catch (IOException ignored) {
                        // Loopback listener; closing cannot meaningfully fail.
                    }
                }
                limit.finished();
            }
        }, "postilion-script " + name);
        worker.setDaemon(true);
        worker.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        worker.start();
        if (!limit.awaitEnd()) {
            return new Result(List.of(overTime(name, worker, limit)));
        }
        List<Problem> all = new ArrayList<>();
        for (ScriptError e : context.recorded()) {
            all.add(problem(e));
        }
        all.addAll(context.batchProblems());
        synchronized (problems) {
            all.addAll(problems);
        }
        return new Result(all);
    }

    /**
     * The run passed its time limit: notes where the script was, stops what can be stopped (a
     * batch forces its journal to disk; the connection is closed) and gives the script a moment to
     * end cleanly. The caller exits the process, which ends a script that never returns.
     */
    private static Problem overTime(String name, Thread worker, RunLimit limit) {
        ScriptLocation at = ScriptLocation.of(name, worker.getStackTrace());
        List<String> notes = limit.stop();
        limit.awaitEnd(GRACE);
        StringBuilder sb = new StringBuilder(at + ": " + limit.why()
                + "\n    nothing more is sent; exit 75 is a temporary failure, so cron may simply run it again");
        for (String note : notes) {
            sb.append("\n    ").append(note.replace("\n", "\n    "));
        }
        return new Problem(Category.TIME_LIMIT, SmtpException.Kind.TEMPORARY, sb.toString(), null);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof InvokerInvocationException || cur instanceof java.lang.reflect.InvocationTargetException)
                && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    private static Problem translate(String name, Throwable t) {
        if (t instanceof ScriptError e) {
            return problem(e);
        }
        if (t instanceof ScriptFailure f) {
            return new Problem(Category.SMTP, f.kind(), f.getMessage(), f.getCause());
        }
        ScriptLocation at = ScriptLocation.of(name, t.getStackTrace());
        if (t instanceof AssertionError a) {
            return new Problem(Category.ASSERTION, null, at + ": assertion failed:\n" + indent(a.getMessage()), a);
        }
        if (t instanceof MissingMethodException m) {
            String near = Suggest.nearest(m.getMethod(), MailScript.VERBS);
            return new Problem(Category.SCRIPT, null, at + ": script error: no verb or method '" + m.getMethod()
                    + "' takes these arguments" + (near != null && !near.equals(m.getMethod())
                    ? " (did you mean '" + near + "'?)" : ""), m);
        }
        if (t instanceof MissingPropertyException m) {
            return new Problem(Category.SCRIPT, null, at + ": script error: unknown name '" + m.getProperty() + "'", m);
        }
        if (t instanceof groovy.lang.GroovyRuntimeException g) {
            return new Problem(Category.SCRIPT, null, at + ": script error: " + g.getMessage(), g);
        }
        if (t instanceof RuntimeException r && at.line() > 0) {
            return new Problem(Category.SCRIPT, null, at + ": script error: " + r, r);
        }
        return new Problem(Category.INTERNAL, null, at + ": internal error: " + t, t);
    }

    private static Problem problem(ScriptError e) {
        Category c = switch (e.kind()) {
            case MISSING_FILE -> Category.MISSING_FILE;
            case CONFIG -> Category.CONFIG;
            case LOCAL_IO -> Category.LOCAL_IO;
            case USAGE -> Category.USAGE;
            default -> Category.SCRIPT;
        };
        return new Problem(c, null, e.getMessage(), e);
    }

    private static List<Problem> compileProblems(String name, MultipleCompilationErrorsException e) {
        List<Problem> out = new ArrayList<>();
        for (Message m : e.getErrorCollector().getErrors()) {
            if (m instanceof SyntaxErrorMessage s) {
                SyntaxException x = s.getCause();
                out.add(new Problem(Category.SCRIPT, null, name + ":" + x.getStartLine() + ":" + x.getStartColumn()
                        + ": syntax error: " + cleanSyntax(x.getOriginalMessage()), x));
            } else if (m instanceof ExceptionMessage x) {
                out.add(new Problem(Category.SCRIPT, null, name + ": compile error: " + x.getCause().getMessage(),
                        x.getCause()));
            } else if (m instanceof SimpleMessage x) {
                out.add(new Problem(Category.SCRIPT, null, name + ": compile error: " + x.getMessage(), null));
            }
        }
        return out;
    }

    private static String cleanSyntax(String message) {
        return message == null ? "" : message.replaceAll("\\s*@ line \\d+, column \\d+\\.?", "").trim();
    }

    private static String indent(String text) {
        return "    " + String.valueOf(text).replace("\n", "\n    ");
    }

    private static Result fail(Category c, SmtpException.Kind k, String message, Throwable t) {
        return new Result(List.of(new Problem(c, k, message, t)));
    }
}

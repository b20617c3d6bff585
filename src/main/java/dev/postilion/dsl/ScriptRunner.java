package dev.postilion.dsl;

import groovy.lang.Binding;
import groovy.lang.MissingMethodException;
import groovy.lang.MissingPropertyException;
import groovy.lang.Script;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.messages.ExceptionMessage;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SimpleMessage;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.runtime.InvokerHelper;
import org.codehaus.groovy.runtime.InvokerInvocationException;
import org.codehaus.groovy.syntax.SyntaxException;

import dev.postilion.io.InputFile;
import dev.postilion.io.OutOfMemory;
import dev.postilion.dsl.Problem.Category;
import dev.postilion.server.CaptureServer;
import dev.postilion.smtp.SmtpException;
import dev.postilion.text.Spelling;

/**
 * Compiles a script with {@link MailScript} as its base class, runs it, and turns every failure
 * into {@link Problem}s that name the script line: all compile errors at once, the first runtime
 * failure otherwise, or every mistake in a {@code --dry-run}. The connection is closed with QUIT
 * whatever happens.
 */
public final class ScriptRunner {

    /** How long a stopped run gets to end cleanly (QUIT, a batch's report) before the caller exits anyway. */
    public static final java.time.Duration GRACE = java.time.Duration.ofSeconds(2);

    /** The most a script file may hold. */
    public static final InputFile.Cap SCRIPT_CAP = new InputFile.Cap("scripts", 16 << 20);

    /** The run in progress, for {@link #stop}. */
    private volatile RunLimit current;

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
        String digest;
        try {
            byte[] bytes = InputFile.readAll(script, SCRIPT_CAP);
            source = InputFile.text(bytes, script.toString());
            digest = digest(bytes);
        } catch (InputFile.Refused e) {
            Category c = e.reason() == InputFile.Reason.TOO_LARGE || e.reason() == InputFile.Reason.NOT_UTF8
                    ? Category.SCRIPT : Category.MISSING_FILE;
            return fail(c, null, "script " + e.getMessage(), e);
        }
        Path dir = script.toAbsolutePath().getParent();
        return run(source, name, dir, options, digest);
    }

    /** {@code sha256:} and the hex digest of the script file's bytes, for a batch journal's header. */
    private static String digest(byte[] bytes) {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            // Every JDK has SHA-256; the digest is for people reading the journal, and the batch is the same without it.
            return null;
        }
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
        return run(source, name, dir, options, null);
    }

    private Result run(String source, String name, Path dir, RunOptions options, String digest) {
        RunLimit limit = new RunLimit(System.nanoTime());
        current = limit;
        if (options.maxTime() != null) {
            limit.limit(options.maxTime(), RunLimit.named("--max-time", options.maxTime()));
        }
        String tooDeep = NestingLimit.check(source, name);
        if (tooDeep != null) {
            return fail(Category.SCRIPT, null, tooDeep, null);
        }
        CompilerConfiguration config = new CompilerConfiguration();
        config.setScriptBaseClass(MailScript.class.getName());
        config.setSourceEncoding("UTF-8");
        config.addCompilationCustomizers(new ScriptFacts.Collector());
        config.addCompilationCustomizers(new VerbPlacement(options.vars().keySet()));
        Binding binding = new Binding();
        Map<String, Object> vars = new LinkedHashMap<>(options.vars());
        vars.forEach(binding::setVariable);
        binding.setVariable("vars", Map.copyOf(options.vars()));
        binding.setVariable("args", options.args());
        List<Problem> problems = new ArrayList<>();
        AtomicReference<ScriptContext> contextRef = new AtomicReference<>();
        AtomicBoolean compiling = new AtomicBoolean(true);
        // Everything runs on its own thread, compiling included, so that this one can stop waiting
        // at the run's time limit even when the script never returns (a tight loop reaches no verb
        // to stop it) or the compiler never finishes (deep nesting makes Groovy's parser slow).
        Thread worker = new Thread(() -> {
            try {
                List<Problem> early = compileAndRun(source, new ScriptContext(options, name, dir, limit, digest),
                        config, binding, contextRef, compiling);
                synchronized (problems) {
                    problems.addAll(early);
                }
            } finally {
                limit.finished();
            }
        }, "postilion-script " + name);
        worker.setDaemon(true);
        worker.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        worker.start();
        if (!limit.awaitEnd()) {
            return new Result(List.of(overTime(name, worker, limit, compiling.get())));
        }
        List<Problem> all = new ArrayList<>();
        ScriptContext context = contextRef.get();
        if (context != null) {
            List<ScriptError> recorded = new ArrayList<>(context.recorded());
            // A dry run's mistakes, those found before running included, in the order of the script.
            recorded.sort(java.util.Comparator.comparingInt(e -> e.location().line()));
            for (ScriptError e : recorded) {
                all.add(Problem.of(e));
            }
            all.addAll(context.batchProblems());
        }
        synchronized (problems) {
            all.addAll(problems);
        }
        return new Result(all);
    }

    /** On the worker thread: compiles (or takes from the cache), checks before connecting, runs; returns problems. */
    private static List<Problem> compileAndRun(String source, ScriptContext given, CompilerConfiguration config,
            Binding binding, AtomicReference<ScriptContext> contextRef, AtomicBoolean compiling) {
        String name = given.scriptName();
        RunOptions options = given.options();
        Script compiled;
        try {
            Class<?> cls = ScriptCache.from(options.env()).scriptClass(source, name, config);
            compiled = InvokerHelper.createScript(cls, binding);
        } catch (MultipleCompilationErrorsException e) {
            return compileProblems(name, e);
        } catch (StackOverflowError e) {
            return List.of(new Problem(Category.SCRIPT, null, name + ": script error: too deeply nested to compile;"
                    + " split the script into methods or variables", e));
        } catch (OutOfMemoryError e) {
            return List.of(new Problem(Category.INTERNAL, null, name + ": ran out of memory while compiling the script",
                    null));
        } catch (RuntimeException | LinkageError e) {
            return List.of(new Problem(Category.INTERNAL, null, name + ": internal error while compiling: " + e, e));
        } finally {
            compiling.set(false);
        }
        CaptureServer standIn = null;
        RunOptions effective = options;
        try {
            if (options.dryRun()) {
                standIn = CaptureServer.standIn();
                effective = options.toBuilder().connectTo(standIn.host(), standIn.port()).build();
                options.transcript().info("--dry-run: every connect goes to a local stand-in; nothing is sent");
            }
        } catch (IOException e) {
            return List.of(new Problem(Category.LOCAL_IO, null, "cannot start the dry-run stand-in server: "
                    + e.getMessage(), e));
        }
        MailScript mail = (MailScript) compiled;
        ScriptContext context = given.withOptions(effective);
        contextRef.set(context);
        mail.attach(context);
        List<Problem> problems = new ArrayList<>();
        try {
            // What can be known without running the script is checked before its first byte is sent.
            List<ScriptError> found = ScriptPreflight.check(compiled.getClass(), context);
            if (!found.isEmpty()) {
                if (!options.dryRun()) {
                    return found.stream().map(Problem::of).toList();
                }
                found.forEach(context::record);
            }
            mail.run();
        } catch (Throwable t) {
            problems.add(translate(name, unwrap(t)));
        } finally {
            try {
                mail.finish();
            } catch (RuntimeException e) {
                // The script's own failure, if any, is what the user needs to see.
            }
            if (standIn != null) {
                standIn.close();
            }
        }
        return problems;
    }

    /**
     * The run passed its time limit: notes where the script was, stops what can be stopped (a
     * batch forces its journal to disk; the connection is closed) and gives the script a moment to
     * end cleanly. The caller exits the process, which ends a script that never returns.
     */
    private static Problem overTime(String name, Thread worker, RunLimit limit, boolean compiling) {
        ScriptLocation at = ScriptLocation.of(name, worker.getStackTrace());
        List<String> notes = limit.stop();
        if (compiling) {
            // The compiler cannot be stopped: the caller exits the process, which ends it.
            return new Problem(Category.TIME_LIMIT, SmtpException.Kind.TEMPORARY, name + ": " + limit.why()
                    + ", while the script was still compiling\n    nothing was sent; " + (limit.interrupted() ? ""
                    : "a script that takes this long to compile is usually nested too deeply; ")
                    + "exit 75 is a temporary failure", null);
        }
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
            return Problem.of(e);
        }
        if (t instanceof ScriptFailure f) {
            return new Problem(Category.SMTP, f.kind(), f.getMessage(), f.getCause());
        }
        ScriptLocation at = ScriptLocation.of(name, t.getStackTrace());
        if (t instanceof OutOfMemoryError) {
            return new Problem(Category.INTERNAL, null, at + ": " + OutOfMemory.MESSAGE, t);
        }
        if (t instanceof AssertionError a) {
            return new Problem(Category.ASSERTION, null, at + ": assertion failed:\n" + indent(a.getMessage()), a);
        }
        if (t instanceof MissingMethodException m) {
            String near = Spelling.nearest(m.getMethod(), MailScript.VERBS).orElse(null);
            return new Problem(Category.SCRIPT, null, at + ": script error: no verb or method '" + m.getMethod()
                    + "' takes these arguments" + (near != null && !near.equals(m.getMethod())
                    ? " (did you mean '" + near + "'?)" : ""), m);
        }
        if (t instanceof MissingPropertyException m) {
            return new Problem(Category.SCRIPT, null, at + ": script error: unknown name '" + m.getProperty() + "'", m);
        }
        if (t instanceof groovy.lang.GroovyRuntimeException g) {
            java.util.regex.Matcher m = OVERLOAD.matcher(String.valueOf(g.getMessage()));
            if (m.find()) {
                // connect null, data(), attach(): Groovy cannot choose between a verb's forms.
                String verb = m.group(1);
                String how = VerbSpelling.of(verb) == null ? "" : "; write " + VerbSpelling.of(verb);
                String text = g.getMessage().contains("[null") ? VerbSpelling.missingValue(verb)
                        : g.getMessage().contains(verb + "()") ? VerbSpelling.wrongArguments(verb, new Object[0])
                        : verb + ": these arguments fit more than one of its forms" + how;
                return new Problem(Category.SCRIPT, null, at + ": script error: " + text, g);
            }
            return new Problem(Category.SCRIPT, null, at + ": script error: " + plain(g.getMessage()), g);
        }
        if (t instanceof RuntimeException r && at.line() > 0) {
            // A value a verb did not check (null, a port out of range): name the verb and its spelling.
            String verb = verbOf(name, r.getStackTrace());
            String text = r instanceof NullPointerException && verb != null ? VerbSpelling.missingValue(verb)
                    : (verb != null ? verb + ": " : "") + (r.getMessage() == null ? "a value is missing (null)"
                    : plain(r.getMessage())) + (verb != null && VerbSpelling.of(verb) != null
                    ? "; write " + VerbSpelling.of(verb) : "");
            return new Problem(Category.SCRIPT, null, at + ": script error: " + text, r);
        }
        return new Problem(Category.INTERNAL, null, at + ": internal error (a bug; --debug shows where): "
                + plain(t.getMessage() == null ? "no detail" : t.getMessage()), t);
    }

    /** Groovy's words when it cannot choose between a method's forms. */
    private static final java.util.regex.Pattern OVERLOAD = java.util.regex.Pattern.compile(
            "(?:Could not find which method |Ambiguous method overloading for method [\\w.$]+#)(\\w+)");

    /**
     * The DSL word whose code failed: the frame of this package nearest to the script's own frame
     * ({@code lambda$raw$3} counts as {@code raw}), or null.
     */
    private static String verbOf(String name, StackTraceElement[] stack) {
        int script = 0;
        while (script < stack.length && !name.equals(stack[script].getFileName())) {
            script++;
        }
        for (int i = script - 1; i >= 0; i--) {
            StackTraceElement e = stack[i];
            if (e.getClassName().startsWith(ScriptRunner.class.getPackageName() + ".")) {
                String method = e.getMethodName().replaceFirst("^lambda\\$(\\w+?)\\$\\d+$", "$1");
                return VerbSpelling.known(method) ? method : null;
            }
        }
        return null;
    }

    /** A message from Groovy or the JDK without Java's words: no package names, no exception class names. */
    static String plain(String message) {
        return message.replaceAll("\\b(?:[a-z_][\\w$]*\\.)+([A-Z][\\w$]*)", "$1")
                .replaceAll("\\b\\w*(?:Exception|Error)\\b:?\\s*", "")
                .replaceAll("(?m)^\\s+at .*$\\n?", "").trim();
    }

    private static List<Problem> compileProblems(String name, MultipleCompilationErrorsException e) {
        List<Problem> out = new ArrayList<>();
        for (Message m : e.getErrorCollector().getErrors()) {
            if (m instanceof SyntaxErrorMessage s && s.getCause() instanceof VerbPlacement.Misplaced x) {
                out.add(new Problem(Category.SCRIPT, null, name + ":" + x.getStartLine() + ": script error: "
                        + x.getOriginalMessage(), x));
            } else if (m instanceof SyntaxErrorMessage s && TAKEN.matcher(String.valueOf(s.getCause()
                    .getOriginalMessage())).find()) {
                // def finish() { } in a script: the name is one the script's base class uses itself.
                java.util.regex.Matcher taken = TAKEN.matcher(s.getCause().getOriginalMessage());
                taken.find();
                out.add(new Problem(Category.SCRIPT, null, name + ":" + s.getCause().getStartLine() + ": script error:"
                        + " the script defines a method named '" + taken.group(1) + "', a name Postilion uses"
                        + " itself; give the method another name", s.getCause()));
            } else if (m instanceof SyntaxErrorMessage s) {
                SyntaxException x = s.getCause();
                out.add(new Problem(Category.SCRIPT, null, name + ":" + x.getStartLine() + ":" + x.getStartColumn()
                        + ": syntax error: " + cleanSyntax(x.getOriginalMessage()), x));
            } else if (m instanceof ExceptionMessage x) {
                out.add(new Problem(Category.SCRIPT, null, name + ": compile error: "
                        + plain(String.valueOf(x.getCause().getMessage())), x.getCause()));
            } else if (m instanceof SimpleMessage x) {
                out.add(new Problem(Category.SCRIPT, null, name + ": compile error: " + plain(x.getMessage()), null));
            }
        }
        return out;
    }

    /** A script method whose name the base class uses: Groovy's message names Java types. */
    private static final java.util.regex.Pattern TAKEN = java.util.regex.Pattern.compile(
            "(?:of \\S+ |final method )(\\w+)\\(.*(?:in |from class ')dev\\.postilion\\.dsl\\.(?:MailScript|LocalVerbs)");

    private static String cleanSyntax(String message) {
        return message == null ? "" : plain(message.replaceAll("\\s*@ line \\d+, column \\d+\\.?", "").trim());
    }

    private static String indent(String text) {
        return "    " + String.valueOf(text).replace("\n", "\n    ");
    }

    private static Result fail(Category c, SmtpException.Kind k, String message, Throwable t) {
        return new Result(List.of(new Problem(c, k, message, t)));
    }
}

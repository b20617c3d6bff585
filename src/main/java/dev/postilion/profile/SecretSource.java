package dev.postilion.profile;

import dev.postilion.io.InputFile;
import dev.postilion.smtp.Durations;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Where a secret's value comes from: an environment variable, a file's first line, a command's
 * first line of output, a no-echo prompt, or the profiles file itself.
 */
sealed interface SecretSource {

    /** The most a file or a command may give before its first line is taken. */
    int MAX_READ = 64 * 1024;

    /** The most a {@code file:} secret may hold. */
    InputFile.Cap FILE_CAP = new InputFile.Cap("secret files", MAX_READ);

    /** How the source reads in {@code profiles show}: {@code <env NAME>} and so on. */
    String describe();

    /** Reads the value, or throws a {@link ProfileException} that names the source but no value. */
    String read(SecretRequest request);

    /** {@code { env: NAME }}. */
    record Env(String name) implements SecretSource {
        @Override
        public String describe() {
            return "<env " + name + ">";
        }

        @Override
        public String read(SecretRequest request) {
            String value = request.runtime().env().apply(name);
            if (value == null) {
                throw request.fail("environment variable " + name + " is not set");
            }
            return checked(value, "environment variable " + name, request);
        }
    }

    /** {@code { file: PATH }}: the first line, {@code ~} expanded, relative to the profiles file. */
    record FileSecret(String written) implements SecretSource {
        @Override
        public String describe() {
            return "<file " + written + ">";
        }

        @Override
        public String read(SecretRequest request) {
            SecretRequest.SecretRuntime runtime = request.runtime();
            Path path = ProfileValues.path(written, runtime.home(), runtime.baseDir());
            byte[] bytes;
            try {
                bytes = InputFile.readAll(path, FILE_CAP);
            } catch (InputFile.Refused e) {
                if (e.reason() == InputFile.Reason.MISSING) {
                    throw request.fail("file " + written + " not found" + shownAs(path));
                }
                if (e.getCause() instanceof AccessDeniedException) {
                    throw request.fail("file " + written + " cannot be read (permission denied)");
                }
                if (e.getCause() instanceof FileSystemException f) {
                    throw request.fail("file " + written + " cannot be read ("
                            + Objects.requireNonNullElse(f.getReason(), f.getClass().getSimpleName()) + ")");
                }
                throw request.fail("file " + written + ": " + e.getMessage());
            }
            return checked(firstLine(bytes), "file " + written, request);
        }

        private String shownAs(Path path) {
            return path.toString().equals(written) ? "" : " (" + path + ")";
        }
    }

    /**
     * {@code { command: "..." }}: run with {@code /bin/sh -c} in the profiles file's folder; its
     * first line of standard output is the value. Its standard error goes to ours, its standard
     * input is empty, and it is stopped (with any children) when the timeout passes.
     */
    record Command(String command, Duration timeout) implements SecretSource {
        @Override
        public String describe() {
            return "<command " + command + ">";
        }

        @Override
        public String read(SecretRequest request) {
            SecretRequest.SecretRuntime runtime = request.runtime();
            ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command)
                    .directory(runtime.baseDir().toFile());
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw request.fail("command '" + command + "' could not be started (" + e.getMessage() + ")");
            }
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // The command may already have exited; it gets no input either way.
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread outPump = pump(process.getInputStream(), out, MAX_READ, "secret-command-stdout");
            Thread errPump = pump(process.getErrorStream(), runtime.stderr().get(), Long.MAX_VALUE,
                    "secret-command-stderr");
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    stop(process);
                    throw request.fail("command '" + command + "' timed out after "
                            + Durations.format(timeout)
                            + " and was stopped (give it longer with { command: ..., timeout: 30s })");
                }
                // A child left running in the background may hold the pipes open: wait no longer
                // than the timeout's remainder for them.
                long leftMillis = Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                outPump.join(leftMillis);
                errPump.join(leftMillis);
            } catch (InterruptedException e) {
                stop(process);
                Thread.currentThread().interrupt();
                throw request.fail("command '" + command + "' was interrupted");
            }
            int status = process.exitValue();
            if (status != 0) {
                throw request.fail("command '" + command + "' failed (exit status " + status + ")");
            }
            byte[] bytes;
            synchronized (out) {
                bytes = out.toByteArray();
            }
            return checked(firstLine(bytes), "command '" + command + "'", request);
        }

        private static void stop(Process process) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }

        /** Copies a stream on a daemon thread, keeping at most {@code limit} bytes and draining the rest. */
        private static Thread pump(InputStream in, OutputStream sink, long limit, String name) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                long kept = 0;
                try (in) {
                    int n;
                    while ((n = in.read(buffer)) != -1) {
                        int keep = (int) Math.min(n, limit - kept);
                        if (keep > 0) {
                            synchronized (sink) {
                                sink.write(buffer, 0, keep);
                                sink.flush();
                            }
                            kept += keep;
                        }
                    }
                } catch (IOException e) {
                    // The process was stopped or the sink closed: nothing more to copy.
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
            return thread;
        }
    }

    /** {@code { prompt: true }}: asked on the terminal without echo; an error when there is none. */
    record Prompt() implements SecretSource {
        @Override
        public String describe() {
            return "<prompt>";
        }

        @Override
        public String read(SecretRequest request) {
            String what = request.key().equals("token") ? "Token" : "Password";
            char[] typed = request.runtime().prompter().apply(
                    what + " for profile '" + request.profile() + "': ");
            if (typed == null) {
                throw request.fail("{ prompt: true } needs a terminal, and there is none"
                        + " (under cron or in a pipe, use { env: ... }, { file: ... } or { command: ... })");
            }
            String value = new String(typed);
            java.util.Arrays.fill(typed, '\0');
            return checked(value, "the prompt", request);
        }
    }

    /** A value written in the profiles file itself (allowed only when its owner alone can read it). */
    final class Literal implements SecretSource {
        private final String value;

        Literal(String value) {
            this.value = value;
        }

        @Override
        public String describe() {
            return "<literal>";
        }

        @Override
        public String read(SecretRequest request) {
            return value;
        }

        @Override
        public String toString() {
            return Secret.MASK;
        }
    }

    /** The text up to the first line break, without a CR before it. */
    static String firstLine(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** Refuses an empty value, or one with CR, LF or NUL (they could end an AUTH line early). */
    static String checked(String value, String what, SecretRequest request) {
        if (value.isEmpty()) {
            throw request.fail(what + " gave an empty value");
        }
        if (ProfileValues.hasControlBreak(value)) {
            throw request.fail(what + " gave a value with a CR, LF or NUL character (refused)");
        }
        return value;
    }
}

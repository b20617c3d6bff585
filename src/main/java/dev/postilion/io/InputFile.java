package dev.postilion.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opening and reading the files a user names: scripts, bodies, profiles, secret files, templates,
 * batch sources. A folder, a device ({@code /dev/zero}, {@code /dev/urandom}, a disk) or a socket
 * is refused; {@code /dev/stdin} is read whatever it is. A pipe ({@code <(pass show x)}, a named
 * FIFO) is read, but opening one waits at most {@link #PIPE_WAIT} for a program to open it for
 * writing, so a FIFO nobody writes to never hangs a run. What is read whole stops at its
 * {@link Cap}, and the refusal names the cap. Imports nothing but the JDK, so every layer may use it.
 */
public final class InputFile {

    /** How long opening a named pipe waits for a program to open its other end for writing. */
    public static final Duration PIPE_WAIT = Duration.ofSeconds(10);

    /** The names this process's standard input goes by: read even when it is a terminal or a device. */
    private static final Set<String> STANDARD_INPUT = Set.of("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0");

    // st_mode file types (POSIX <sys/stat.h>).
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFSOCK = 0140000;

    private InputFile() {
    }

    /**
     * The most one kind of input may hold when it is read whole.
     *
     * @param kind what the input is, plural, as the message names it: "scripts", "profiles files"
     * @param bytes the limit in octets
     */
    public record Cap(String kind, long bytes) {

        /** The limit as people write it: {@code 16 MiB}, {@code 64 KiB}. */
        public String shown() {
            return size(bytes);
        }
    }

    /** Why an input was refused. */
    public enum Reason {
        /** There is no such file. */
        MISSING,
        /** A folder, a device or a socket. */
        NOT_A_FILE,
        /** A named pipe no program opened for writing within {@link #PIPE_WAIT}. */
        NO_WRITER,
        /** More than its {@link Cap}. */
        TOO_LARGE,
        /** Not valid UTF-8 where text was wanted. */
        NOT_UTF8,
        /** Permission denied or another I/O failure. */
        UNREADABLE
    }

    /** An input that cannot be used; the message names the input (and the cap, for {@link Reason#TOO_LARGE}). */
    public static final class Refused extends IOException {
        private final Reason reason;

        Refused(Reason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        /** Why it was refused. */
        public Reason reason() {
            return reason;
        }
    }

    /** The whole file, refused past {@code cap}. */
    public static byte[] readAll(Path file, Cap cap) throws Refused {
        return readAll(file, cap, PIPE_WAIT);
    }

    static byte[] readAll(Path file, Cap cap, Duration pipeWait) throws Refused {
        if (kind(file) == S_IFREG) {
            long size;
            try {
                size = Files.size(file);
            } catch (IOException e) {
                throw unreadable(file, e);
            }
            if (size > cap.bytes()) {
                throw tooLarge(file.toString(), cap);
            }
        }
        try (InputStream in = open(file, pipeWait)) {
            return readAll(in, file.toString(), cap);
        } catch (Refused e) {
            throw e;
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** The whole file as strict UTF-8 text (a leading byte order mark dropped), refused past {@code cap}. */
    public static String readText(Path file, Cap cap) throws Refused {
        return text(readAll(file, cap), file.toString());
    }

    /** All of a stream, such as standard input ({@code name} says which in the message), refused past {@code cap}. */
    public static byte[] readAll(InputStream in, String name, Cap cap) throws Refused {
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cap.bytes() + 1));
        } catch (IOException e) {
            throw new Refused(Reason.UNREADABLE, name + " cannot be read (" + why(e) + ")", e);
        }
        if (bytes.length > cap.bytes()) {
            throw tooLarge(name, cap);
        }
        return bytes;
    }

    /** Bytes as strict UTF-8 text, a leading byte order mark dropped; {@code name} is shown if they are not. */
    public static String text(byte[] bytes, String name) throws Refused {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw new Refused(Reason.NOT_UTF8, name + " is not UTF-8 text (save it as UTF-8)", e);
        }
    }

    /**
     * Opens a file to be streamed (no cap: the reader bounds its records): a folder, a device or a
     * socket is refused, and a named pipe waits at most {@link #PIPE_WAIT} for a writer.
     */
    public static InputStream open(Path file) throws Refused {
        return open(file, PIPE_WAIT);
    }

    static InputStream open(Path file, Duration pipeWait) throws Refused {
        int kind = kind(file);
        try {
            if (kind == S_IFIFO) {
                return openPipe(file, pipeWait);
            }
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new Refused(Reason.MISSING, file + " does not exist", e);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /**
     * Checks that {@code file} can be opened as input without opening it (so a pipe is not
     * consumed): refused when missing, a folder, a device or a socket.
     */
    public static void check(Path file) throws Refused {
        kind(file);
    }

    /** The file's type bits, after refusing what is not input. */
    private static int kind(Path file) throws Refused {
        int type;
        try {
            type = (Integer) Files.getAttribute(file, "unix:mode") & S_IFMT;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            type = basicKind(file);
        } catch (NoSuchFileException e) {
            throw new Refused(Reason.MISSING, file + " does not exist", e);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        boolean standardInput = STANDARD_INPUT.contains(file.toString());
        switch (type) {
            case S_IFREG, S_IFIFO -> {
                return type;
            }
            case S_IFDIR -> throw new Refused(Reason.NOT_A_FILE, file + " is a folder, not a file", null);
            case S_IFCHR, S_IFBLK -> {
                if (standardInput) {
                    return type;
                }
                throw new Refused(Reason.NOT_A_FILE, file + " is a device, not a file (devices such as /dev/zero"
                        + " are refused; only /dev/stdin is read)", null);
            }
            case S_IFSOCK -> throw new Refused(Reason.NOT_A_FILE, file + " is a socket, not a file", null);
            default -> throw new Refused(Reason.NOT_A_FILE, file + " is not a regular file", null);
        }
    }

    /** Where the file system has no unix view: regular files and folders only. */
    private static int basicKind(Path file) throws Refused {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new Refused(Reason.MISSING, file + " does not exist", e);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        return a.isRegularFile() ? S_IFREG : a.isDirectory() ? S_IFDIR : 0;
    }

    /**
     * Opening a FIFO for reading blocks until a program opens it for writing, and Java cannot
     * open it non-blocking: the open runs on its own thread, and when the wait is over the
     * stranded open is released by opening the other end ourselves and closing it at once.
     */
    private static InputStream openPipe(Path file, Duration wait) throws IOException {
        CompletableFuture<InputStream> opened = new CompletableFuture<>();
        Thread opener = new Thread(() -> {
            try {
                InputStream in = Files.newInputStream(file);
                if (!opened.complete(in)) {
                    in.close();
                }
            } catch (IOException | RuntimeException e) {
                opened.completeExceptionally(e);
            }
        }, "postilion-pipe-open");
        opener.setDaemon(true);
        opener.start();
        try {
            return opened.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (!opened.cancel(false)) {
                return opened.join();
            }
            Thread release = new Thread(() -> {
                try {
                    FileChannel.open(file, StandardOpenOption.WRITE).close();
                } catch (IOException ignored) {
                    // The opener may already be gone; then there is nothing to release.
                }
            }, "postilion-pipe-release");
            release.setDaemon(true);
            release.start();
            throw new Refused(Reason.NO_WRITER, file + " is a named pipe that no program opened for writing within "
                    + seconds(wait), null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(Reason.UNREADABLE, file + " was not read: interrupted while waiting for a writer", e);
        }
    }

    private static Refused tooLarge(String name, Cap cap) {
        return new Refused(Reason.TOO_LARGE, name + " is larger than the " + cap.shown() + " limit for " + cap.kind(),
                null);
    }

    private static Refused unreadable(Path file, IOException e) {
        if (e instanceof Refused r) {
            return r;
        }
        if (e instanceof NoSuchFileException) {
            return new Refused(Reason.MISSING, file + " does not exist", e);
        }
        return new Refused(Reason.UNREADABLE, file + " cannot be read (" + why(e) + ")", e);
    }

    private static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** An octet count as people write it: {@code 16 MiB}, {@code 64 KiB}, {@code 1.5 MiB}, {@code 100 bytes}. */
    public static String size(long bytes) {
        if (bytes >= 1 << 20) {
            return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB"
                    : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
        }
        if (bytes >= 1 << 10) {
            return bytes % (1 << 10) == 0 ? (bytes >> 10) + " KiB"
                    : String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1 << 10));
        }
        return bytes + " bytes";
    }
}

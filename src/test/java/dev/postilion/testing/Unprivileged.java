package dev.postilion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a main class in a child JVM as a user without root's powers, for the cases root passes by
 * privilege alone (an unreadable file, a read-only directory): as {@code nobody}, through
 * {@code setpriv}, when the tests run as root (as CI does), else as the current user, who has no
 * such powers already. Never a skip.
 *
 * <p>{@code nobody} cannot read root's home, where the checkout and {@code ~/.m2} usually are: the
 * child's class path is a world-readable copy of the code sources (class directories or jars) of the
 * classes it is given, made once per test JVM. Files it should see must be in a directory it can
 * enter: {@link #directory()} makes one.
 */
public final class Unprivileged {

    /** The uid and gid of {@code nobody} on Linux. */
    public static final int NOBODY = 65534;

    private static final Map<Path, Path> COPIES = new LinkedHashMap<>();
    private static Path root;

    private Unprivileged() {}

    /** What the child printed and returned. */
    public record Result(int code, String out, String err) {
        public String all() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Whether this JVM runs as root (so that permission checks would not apply to it). */
    public static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out.equals("0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A fresh directory everyone may enter and read (mode 755), removed when the JVM exits. */
    public static synchronized Path directory() throws IOException {
        Path dir = Files.createTempDirectory(root(), "dir-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /**
     * Runs {@code main} with {@code args} in a child JVM as the unprivileged user; its class path is
     * made of the code sources of {@code main} and of {@code classes}.
     */
    public static Result run(Class<?> main, List<Class<?>> classes, String... args)
            throws IOException, InterruptedException {
        List<Class<?>> all = new ArrayList<>(classes);
        all.add(main);
        StringBuilder classPath = new StringBuilder();
        for (Class<?> c : all) {
            Path copy = copyOf(codeSource(c));
            if (classPath.indexOf(copy.toString()) < 0) {
                classPath.append(classPath.length() == 0 ? "" : ":").append(copy);
            }
        }
        List<String> command = new ArrayList<>();
        if (isRoot()) {
            command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-Xshare:auto", "-cp", classPath.toString(), main.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(root(), "run-", ".out");
        Path err = Files.createTempFile(root(), "run-", ".err");
        Process p = new ProcessBuilder(command).directory(root().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the unprivileged child " + command + " did not finish within 120 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized Path copyOf(Path source) throws IOException {
        Path known = COPIES.get(source);
        if (known != null) {
            return known;
        }
        Path copy = root().resolve("cp-" + COPIES.size() + (Files.isDirectory(source) ? "" : ".jar"));
        if (Files.isDirectory(source)) {
            try (Stream<Path> tree = Files.walk(source)) {
                for (Path p : tree.toList()) {
                    Path to = copy.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else {
                        Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
        } else {
            Files.copy(source, copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        }
        COPIES.put(source, copy);
        return copy;
    }

    private static synchronized Path root() throws IOException {
        if (root == null) {
            root = Files.createTempDirectory("postilion-unprivileged-");
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path made = root;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(made)));
        }
        return root;
    }

    private static void delete(Path tree) {
        try (Stream<Path> all = Files.walk(tree)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                p.toFile().setWritable(true);
                p.toFile().delete();
            });
        } catch (IOException e) {
            System.err.println("could not remove " + tree + ": " + e.getMessage());
        }
    }
}

package dev.postilion.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code postilion ARGS} in a real child JVM (the test's class path), working in {@code dir}, with
 * a private HOME, no script cache, and its output in {@code dir/child.out} and {@code dir/child.err}:
 * for what only a real process shows (its exit, its {@code /proc/<pid>/cmdline}).
 */
final class ChildRun {

    private final Path dir;
    final Process process;

    private ChildRun(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    static ChildRun start(Path dir, Map<String, String> env, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("child.out").toFile()).redirectError(dir.resolve("child.err").toFile());
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("POSTILION_SCRIPT_CACHE", "0");
        pb.environment().putAll(env);
        return new ChildRun(dir, pb.start());
    }

    String out() throws IOException {
        return Files.readString(dir.resolve("child.out"), StandardCharsets.UTF_8);
    }

    String err() throws IOException {
        return Files.readString(dir.resolve("child.err"), StandardCharsets.UTF_8);
    }
}

package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The packaged jar knows its version: the manifest has it, and {@code --version} and every {@code -V} print it. */
@Timeout(120)
class VersionIT {

    private static final Path JAR = Path.of("target", "postilion.jar");

    private static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void theJarsManifestCarriesTheProjectVersion() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Implementation-Version"))
                    .isEqualTo(Main.Version.number()).matches("\\d+\\.\\d+\\.\\d+\\S*");
        }
    }

    @Test
    void theJarPrintsItsVersionNumberForEveryCommand() throws Exception {
        String expected = "postilion " + Main.Version.number() + "\nJava ";
        assertThat(run("--version")).startsWith(expected);
        for (String command : List.of("run", "send", "check", "base64", "serve", "profiles")) {
            assertThat(run(command, "-V")).as(command).startsWith(expected);
        }
    }
}

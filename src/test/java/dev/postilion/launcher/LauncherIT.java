package dev.postilion.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.postilion.server.CaptureServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/postilion} as cron, systemd timers and other users run it: each run ends with the
 * job's own exit code and output, whatever the state of HOME, the class-data cache or the build.
 *
 * <p>Every case runs the launcher (bash) from a world-readable copy of the packaged build, with an
 * environment made from nothing ({@code env -i}: only PATH, plus what the case adds). The jobs need
 * no network: a {@code send -q} to a capture server in this JVM (exit 0, prints nothing, one message
 * received) and a {@code send -q} to a closed port (exit 75, with the very output {@code java -jar}
 * gives). Builds use a stand-in {@code mvn} on PATH that logs its arguments and talks like Maven
 * (escape codes unless told not to), so a concurrent first build is counted, and quick.
 *
 * <p>The cases about permissions become user {@code nobody} (through {@code setpriv}) when the test
 * runs as root, as CI does ({@code .ci/run}); as another user they use that user and a read-only
 * directory, and the non-owner cases are skipped with the reason (a failure when {@code CI=true}).
 */
class LauncherIT {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final int NOBODY = 65534;
    private static final long RUN_LIMIT_SECONDS = 180;

    /** What one run printed and returned. */
    record Result(int code, String out, String err) {
        String all() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Path root;
    private static CaptureServer server;
    private static int closedPort;
    private static boolean isRoot;
    private static Result refusedBaseline;
    private static int copies;

    @BeforeAll
    static void setUp() throws Exception {
        assertThat(REPO.resolve("target/postilion.jar")).as("the packaged jar (mvn package runs before this IT)")
                .isRegularFile();
        root = Files.createTempDirectory("postilion-launcher-");
        open(root);
        server = CaptureServer.start(CaptureServer.Settings.local(root.resolve("outbox")).withDiscard(true), null);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        isRoot = "0".equals(capture(List.of("id", "-u")).strip());
        // What the refused job prints when java runs it without the launcher: the launcher must add nothing.
        Path jar = REPO.resolve("target/postilion.jar");
        List<String> direct = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
        direct.addAll(refusedJob());
        refusedBaseline = run(direct, root, Map.of());
        assertThat(refusedBaseline.code()).as(refusedBaseline.all()).isEqualTo(75);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (server != null) {
            server.close();
        }
        if (root != null) {
            try (Stream<Path> all = Files.walk(root)) {
                all.forEach(p -> p.toFile().setWritable(true));
            }
            try (Stream<Path> all = Files.walk(root)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // --- HOME and the class-data cache ------------------------------------------------------------

    @Test
    void withoutHomeTheJobRunsWithoutACache() throws Exception {
        Path checkout = checkout(true);
        assertJobs(checkout, Map.of(), false);
        assertJobs(checkout, Map.of("POSTILION_CDS", "0"), false);
    }

    @Test
    void aHomeThatCannotBeCreatedMeansNoCache() throws Exception {
        Path checkout = checkout(true);
        Path file = Files.writeString(dir("home-under-a-file").resolve("file"), "not a directory");
        assertJobs(checkout, Map.of("HOME", file.resolve("home").toString()), false);
        assertJobs(checkout, Map.of("XDG_CACHE_HOME", file.resolve("cache").toString()), false);
    }

    @Test
    void anUnwritableHomeMeansNoCache() throws Exception {
        Path checkout = checkout(true);
        Path home = dir("unwritable-home");
        readOnly(home);
        assertJobs(checkout, Map.of("HOME", home.toString()), true);
        assertThat(home.resolve(".cache")).doesNotExist();
    }

    @Test
    void anUnwritableCacheIsSkippedAndNeverChangesTheExitCode() throws Exception {
        // The case met in the field: nobody's home /nonexistent with a root-owned .cache/postilion in it.
        Path checkout = checkout(true);
        Path home = dir("home-with-foreign-cache");
        Path cache = Files.createDirectories(home.resolve(".cache/postilion"));
        open(home.resolve(".cache"));
        open(cache);
        readOnly(cache);
        assertJobs(checkout, Map.of("HOME", home.toString()), true);
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files).as("nothing written into the cache").isEmpty();
        }
    }

    @Test
    void aDamagedOrUnreadableArchiveIsIgnored() throws Exception {
        Path checkout = checkout(true);
        Path home = ownedByTheUnprivilegedUser(dir("home-with-archive"));
        Map<String, String> env = Map.of("HOME", home.toString());
        assertJobs(checkout, env, true);
        Path archive = onlyArchive(home);

        // Truncated (a JVM that maps it dies with SIGBUS before main): never used; a fresh one replaces it.
        byte[] whole = Files.readAllBytes(archive);
        archive.toFile().setWritable(true);
        Files.write(archive, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertJobs(checkout, env, true);
        Path fresh = onlyArchive(home);
        assertThat(Files.size(fresh)).as("a whole archive again").isGreaterThan(whole.length / 2);

        // Same size, other bytes: the JVM refuses it by itself, without a word.
        byte[] garbage = new byte[whole.length];
        new java.util.Random(13).nextBytes(garbage);
        fresh.toFile().setWritable(true);
        Files.write(fresh, garbage);
        assertJobs(checkout, env, true);

        // Unreadable for its user.
        Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("---------"));
        assertJobs(checkout, env, true);
    }

    @Test
    void theFirstRunMakesAnArchiveAndLaterRunsUseItQuietly() throws Exception {
        Path checkout = checkout(true);
        Path home = dir("home-fresh");
        Map<String, String> env = Map.of("HOME", home.toString());
        assertJobs(checkout, env, false);
        Path archive = onlyArchive(home);
        assertThat(Files.size(archive)).isPositive();
        assertJobs(checkout, env, false);
        assertThat(onlyArchive(home)).isEqualTo(archive);
    }

    // --- building ---------------------------------------------------------------------------------

    @Test
    void concurrentFirstRunsBuildOnceAndPrintNothingUnderQuiet() throws Exception {
        Path checkout = checkout(false);
        fakeMaven(checkout, 2, false);
        long before = server.messages();
        List<Process> runs = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path out = Files.createTempFile(root, "concurrent-", ".out");
            outputs.add(out);
            runs.add(start(launcher(checkout, sentJob(), false), checkout, Map.of(), out));
        }
        for (int i = 0; i < runs.size(); i++) {
            Result r = finish(runs.get(i), outputs.get(i));
            assertThat(r.code()).as(r.all()).isZero();
            assertThat(r.out() + r.err()).as(r.all()).isEmpty();
        }
        assertThat(server.messages() - before).as("each job sent its message once").isEqualTo(3);
        List<String> builds = builds(checkout);
        assertThat(builds).as("one build for three overlapping first runs").hasSize(1);
        assertThat(builds.get(0)).contains("-B").contains("-q").contains("-Dstyle.color=never")
                .contains("-Djansi.noreset=true").as("no man pages: no JRuby on a first run")
                .contains("-Dpostilion.man.skip=true");
    }

    @Test
    void aBuildSaysOneLineWithoutQuietAndNeverPrintsEscapeCodes() throws Exception {
        Path checkout = checkout(false);
        fakeMaven(checkout, 0, false);
        Result r = run(launcher(checkout, List.of("base64", "encode", "hi"), false), checkout, Map.of());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).isEqualTo("aGk=\n");
        assertThat(r.err()).as(r.all())
                .matches("postilion: building \\S+postilion\\.jar \\(first run, or sources changed\\)\\.\\.\\.\n");

        // After a source change, under -q: nothing.
        touchSources(checkout);
        assertJobs(checkout, Map.of(), false);
        assertThat(builds(checkout)).hasSize(2);
    }

    @Test
    void aFailedBuildExits70AndShowsMavensLastLinesEvenUnderQuiet() throws Exception {
        Path checkout = checkout(false);
        fakeMaven(checkout, 0, true);
        long before = server.messages();
        Result r = run(launcher(checkout, sentJob(), false), checkout, Map.of());
        assertThat(r.code()).as(r.all()).isEqualTo(70);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("postilion: the build failed; run 'mvn -B package' in " + checkout)
                .contains("[ERROR] COMPILATION ERROR").doesNotContain("\u001b");
        assertThat(server.messages()).isEqualTo(before);
    }

    @Test
    void aBuildLeavesTheJobsStdinToTheJob() throws Exception {
        Path checkout = checkout(false);
        fakeMaven(checkout, 0, false);
        Path body = Files.writeString(root.resolve("stdin-body.txt"), "the body came through stdin\n");
        List<CaptureServer.Captured> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (CaptureServer keeping = CaptureServer.start(CaptureServer.Settings.local(dir("kept")), got::add)) {
            List<String> job = List.of("send", "-q", "--server", "127.0.0.1:" + keeping.port(), "--tls", "none",
                    "--from", "a@postilion.test", "--to", "b@postilion.test", "--body", "-");
            Path out = Files.createTempFile(root, "stdin-", ".out");
            Result r = finish(start(launcher(checkout, job, false), checkout, Map.of(), out, body), out);
            assertThat(r.code()).as(r.all()).isZero();
            assertThat(r.out() + r.err()).as(r.all()).isEmpty();
        }
        assertThat(builds(checkout)).hasSize(1);
        assertThat(got).singleElement().satisfies(m ->
                assertThat(Files.readString(m.file())).contains("the body came through stdin"));
    }

    // --- a user who does not own the checkout -------------------------------------------------------

    @Test
    void aNonOwnerRunsTheBuiltJarWithoutTakingTheBuildLock() throws Exception {
        requireAnotherUser();
        Path checkout = checkout(true);
        fakeMaven(checkout, 0, false);
        Files.writeString(checkout.resolve("target/.build.lock"), "");  // left by the owner's build, mode 644
        Path home = ownedByTheUnprivilegedUser(dir("nobody-home"));
        assertJobs(checkout, Map.of("HOME", home.toString()), true);
        assertThat(onlyArchive(home)).as("the non-owner's own cache works").exists();
        assertThat(builds(checkout)).as("no build attempted").isEmpty();
    }

    @Test
    void aNonOwnerFacingAStaleJarRunsItAndSaysSoInOneLine() throws Exception {
        requireAnotherUser();
        Path checkout = checkout(true);
        fakeMaven(checkout, 0, false);
        touchSources(checkout);
        assertJobs(checkout, Map.of(), true);
        Result r = run(launcher(checkout, List.of("base64", "encode", "hi"), true), checkout, Map.of());
        assertThat(r.code()).as(r.all()).isZero();
        assertThat(r.out()).isEqualTo("aGk=\n");
        assertThat(r.err()).as(r.all()).matches("postilion: \\S+postilion\\.jar is older than the sources and \\S+"
                + " cannot "
                + "rebuild it \\(ask the checkout's owner to run scripts/postilion once\\): running it as it is\n");
        assertThat(builds(checkout)).as("no build attempted").isEmpty();
    }

    @Test
    void aNonOwnerWithoutAJarIsToldWhoCanBuildIt() throws Exception {
        requireAnotherUser();
        Path checkout = checkout(false);
        fakeMaven(checkout, 0, false);
        Result r = run(launcher(checkout, sentJob(), true), checkout, Map.of());
        assertThat(r.code()).as(r.all()).isEqualTo(70);
        assertThat(r.err()).contains("is not built and").contains("cannot build it")
                .contains("ask the checkout's owner");
        assertThat(builds(checkout)).as("no build attempted").isEmpty();
    }

    @Test
    void rootRunsAStaleJarInACheckoutItDoesNotOwnWithoutBuildingThere() throws Exception {
        requireAnotherUser();
        Path checkout = checkout(true);
        fakeMaven(checkout, 0, false);
        touchSources(checkout);
        try (Stream<Path> all = Files.walk(checkout)) {
            for (Path p : all.toList()) {
                Files.setAttribute(p, "unix:uid", NOBODY);
            }
        }
        assertJobs(checkout, Map.of(), false);
        assertThat(builds(checkout)).as("root leaves the owner's target/ alone").isEmpty();
        try (Stream<Path> target = Files.list(checkout.resolve("target"))) {
            assertThat(target).allSatisfy(p -> assertThat(Files.getAttribute(p, "unix:uid")).isEqualTo(NOBODY));
        }
    }

    // --- the jobs -----------------------------------------------------------------------------------

    private static List<String> sentJob() {
        return List.of("send", "-q", "--server", "127.0.0.1:" + server.port(), "--tls", "none",
                "--from", "a@postilion.test", "--to", "b@postilion.test", "--subject", "launcher", "--body", "hi");
    }

    private static List<String> refusedJob() {
        return List.of("send", "-q", "--server", "127.0.0.1:" + closedPort, "--tls", "none",
                "--from", "a@postilion.test", "--to", "b@postilion.test", "--body", "hi");
    }

    /**
     * Runs both jobs through the launcher: the sending one exits 0, prints nothing and sends exactly
     * one message; the refused one exits 75 and prints exactly what {@code java -jar} prints.
     */
    private static void assertJobs(Path checkout, Map<String, String> env, boolean unprivileged) throws Exception {
        long before = server.messages();
        Result sent = run(launcher(checkout, sentJob(), unprivileged), checkout, env);
        assertThat(sent.code()).as(sent.all()).isZero();
        assertThat(sent.out() + sent.err()).as(sent.all()).isEmpty();
        assertThat(server.messages() - before).as("sent exactly once").isEqualTo(1);

        Result refused = run(launcher(checkout, refusedJob(), unprivileged), checkout, env);
        assertThat(refused.code()).as(refused.all()).isEqualTo(75);
        assertThat(refused.out()).as(refused.all()).isEqualTo(refusedBaseline.out());
        assertThat(refused.err()).as(refused.all()).isEqualTo(refusedBaseline.err());
    }

    // --- the copy of the build --------------------------------------------------------------------

    /**
     * A world-readable copy of the checkout as the launcher sees it: the script, pom.xml, a source
     * file, and (when built) the jar and its lib/, the jar newer than the sources.
     */
    private static Path checkout(boolean built) throws IOException {
        Path checkout = dir("checkout-" + (++copies));
        Instant now = Instant.now();
        Path scripts = Files.createDirectories(checkout.resolve("scripts"));
        Path launcher = Files.copy(REPO.resolve("scripts/postilion"), scripts.resolve("postilion"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pom = Files.copy(REPO.resolve("pom.xml"), checkout.resolve("pom.xml"));
        Path source = Files.createDirectories(checkout.resolve("src/main/java"));
        Path file = Files.writeString(source.resolve("Source.java"), "class Source {}\n");
        // find -newer sees directories too: a fresh src/main/java would make the jar stale.
        for (Path p : List.of(pom, file, source, source.getParent(), source.getParent().getParent())) {
            Files.setLastModifiedTime(p, FileTime.from(now.minus(2, ChronoUnit.HOURS)));
        }
        if (built) {
            copyBuild(checkout.resolve("target"));
            Files.setLastModifiedTime(checkout.resolve("target/postilion.jar"),
                    FileTime.from(now.minus(1, ChronoUnit.HOURS)));
        }
        openAll(checkout);
        return checkout;
    }

    private static void copyBuild(Path target) throws IOException {
        Path lib = Files.createDirectories(target.resolve("lib"));
        Files.copy(REPO.resolve("target/postilion.jar"), target.resolve("postilion.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> jars = Files.list(REPO.resolve("target/lib"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void touchSources(Path checkout) throws IOException {
        Files.setLastModifiedTime(checkout.resolve("src/main/java/Source.java"), FileTime.from(Instant.now()));
    }

    /**
     * Puts a stand-in {@code mvn} in {@code checkout/bin}: it logs its arguments and MAVEN_OPTS to
     * {@code checkout/mvn.log}, talks like Maven 3.8 (a bare ESC[0m unless jansi.noreset, coloured
     * INFO lines unless -q, colours unless -Dstyle.color=never), takes its time, then "builds" the jar
     * by copying the real one, or fails.
     */
    private static void fakeMaven(Path checkout, int seconds, boolean fails) throws IOException {
        Path bin = Files.createDirectories(checkout.resolve("bin"));
        String script = """
                #!/usr/bin/env bash
                cat >/dev/null  # a build that read stdin would take the job's
                printf '%%s MAVEN_OPTS=%%s\\n' "$*" "${MAVEN_OPTS:-}" >>'%1$s/mvn.log'
                esc=$'\\e'
                [[ ${MAVEN_OPTS:-} == *-Djansi.noreset=true* ]] || { printf '%%s[0m' "$esc"; printf '%%s[0m' "$esc" >&2; }
                [[ " $* " == *' -Dstyle.color=never '* ]] && b= e= || { b="$esc[1;34m"; e="$esc[m"; }
                [[ " $* " == *' -q '* ]] || printf '%%s[INFO]%%s Building Postilion\\n' "$b" "$e"
                sleep %2$d
                if %3$s; then printf '%%s[ERROR]%%s COMPILATION ERROR\\n' "$b" "$e"; exit 1; fi
                mkdir -p target/lib
                cp '%4$s/postilion.jar' target/postilion.jar
                cp '%4$s'/lib/*.jar target/lib/
                """.formatted(checkout, seconds, fails ? "true" : "false", prebuilt());
        Path mvn = Files.writeString(bin.resolve("mvn"), script);
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        // Writable by whoever runs the launcher, so that a build by a non-owner would show.
        Path log = Files.writeString(checkout.resolve("mvn.log"), "");
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-rw-rw-"));
    }

    private static List<String> builds(Path checkout) throws IOException {
        return Files.readAllLines(checkout.resolve("mvn.log"));
    }

    /** One world-readable copy of the real build, for the stand-in Maven to "build" from. */
    private static synchronized Path prebuilt() throws IOException {
        Path prebuilt = root.resolve("prebuilt");
        if (!Files.exists(prebuilt)) {
            copyBuild(prebuilt);
            openAll(prebuilt);
        }
        return prebuilt;
    }

    // --- running it ---------------------------------------------------------------------------------

    private static List<String> launcher(Path checkout, List<String> args, boolean unprivileged) {
        List<String> command = new ArrayList<>();
        if (unprivileged && isRoot) {
            command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }
        command.add(checkout.resolve("scripts/postilion").toString());
        command.addAll(args);
        return command;
    }

    private static Result run(List<String> command, Path dir, Map<String, String> env) throws Exception {
        Path out = Files.createTempFile(root, "run-", ".out");
        return finish(start(command, dir, env, out), out);
    }

    private static Process start(List<String> command, Path dir, Map<String, String> env, Path out) throws IOException {
        return start(command, dir, env, out, Path.of("/dev/null"));
    }

    /** Starts {@code command} in an environment made from nothing but PATH and {@code env}. */
    private static Process start(List<String> command, Path dir, Map<String, String> env, Path out, Path in)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(in.toFile())
                .redirectOutput(out.toFile()).redirectError(Path.of(out + ".err").toFile());
        Map<String, String> environment = pb.environment();
        environment.clear();
        Path javaBin = Path.of(java()).getParent();
        environment.put("PATH", dir.resolve("bin") + ":" + javaBin + ":/usr/local/bin:/usr/bin:/bin");
        environment.putAll(new HashMap<>(env));
        return pb.start();
    }

    private static Result finish(Process process, Path out) throws Exception {
        if (!process.waitFor(RUN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the launcher did not finish within " + RUN_LIMIT_SECONDS + " s");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(Path.of(out + ".err"), StandardCharsets.UTF_8));
    }

    private static String capture(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    // --- users and permissions ----------------------------------------------------------------------

    /** The non-owner cases need a second user: nobody, which only root can become. */
    private static void requireAnotherUser() {
        if (isRoot) {
            return;
        }
        String message = "the non-owner cases of LauncherIT need root, to run the launcher as nobody"
                + " (CI runs .ci/run as root)";
        if ("true".equals(System.getenv("CI"))) {
            fail(message + "; CI=true, so this is a failure, not a skip");
        }
        System.err.println("[SKIPPED] " + message);
        Assumptions.abort(message);
    }

    /** A directory the unprivileged user (nobody when root runs the test, else this user) may write. */
    private static Path ownedByTheUnprivilegedUser(Path dir) throws IOException {
        if (isRoot) {
            Files.setAttribute(dir, "unix:uid", NOBODY);
            Files.setAttribute(dir, "unix:gid", NOBODY);
        }
        return dir;
    }

    /**
     * Makes {@code dir} unwritable for the unprivileged user: owned by root with mode 755 when root
     * runs the test (root itself writes anywhere, so those cases run as nobody), else mode 555.
     */
    private static void readOnly(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(isRoot ? "rwxr-xr-x" : "r-xr-xr-x"));
    }

    private static Path onlyArchive(Path home) throws IOException {
        try (Stream<Path> files = Files.list(home.resolve(".cache/postilion"))) {
            List<Path> archives = files.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
            assertThat(archives).as("archives in " + home).hasSize(1);
            return archives.get(0);
        }
    }

    private static Path dir(String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        open(dir);
        return dir;
    }

    private static void open(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openAll(Path tree) throws IOException {
        try (Stream<Path> all = Files.walk(tree)) {
            for (Path p : all.toList()) {
                if (Files.isDirectory(p)) {
                    open(p);
                } else if (!Files.isExecutable(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }
}

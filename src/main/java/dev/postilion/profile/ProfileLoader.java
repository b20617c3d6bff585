package dev.postilion.profile;

import dev.postilion.io.InputFile;
import dev.postilion.profile.ProfileDefinition.Setting;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import java.io.Console;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds and reads the profiles file. The file is {@code --profiles FILE} when given, else {@code
 * $POSTILION_PROFILES}, else {@code $XDG_CONFIG_HOME/postilion/profiles.yaml} (by default {@code
 * ~/.config/postilion/profiles.yaml}). YAML is read safely: no tags beyond plain values, no
 * duplicate keys, at most {@value #MAX_ALIASES} aliases, {@value #MAX_DEPTH} levels and {@value
 * #MAX_BYTES} bytes; anything else is a {@link ProfileException} naming the file and line.
 *
 * <p>A loader is immutable; the {@code with...} methods return changed copies. The environment it
 * is given is read for the file's location, for {@code ${VAR}}, for {@code { env: NAME }} and for
 * {@code HOME}, which lets tests run without the real environment.
 */
public final class ProfileLoader {

    /** The environment variable that names the profiles file when {@code --profiles} is not given. */
    public static final String PROFILES_VARIABLE = "POSTILION_PROFILES";

    /** The largest profiles file read, in bytes (1 MiB). */
    public static final int MAX_BYTES = 1024 * 1024;

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    private static final InputFile.Cap CAP = new InputFile.Cap("profiles files", MAX_BYTES);

    /** The most aliases to collections a file may use (bounds an alias bomb). */
    public static final int MAX_ALIASES = 20;

    /** The deepest nesting of collections a file may use. */
    public static final int MAX_DEPTH = 20;

    /** How long a secret's {@code command:} may run when it sets no {@code timeout:}. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private final Function<String, String> env;
    private final Duration commandTimeout;
    private final Function<String, char[]> prompter;
    private final Supplier<OutputStream> commandStderr;

    /** A loader for this process: its environment, its terminal, its standard error. */
    public ProfileLoader() {
        this(System.getenv());
    }

    /** A loader that reads {@code env} instead of the process environment (read when needed, not copied). */
    public ProfileLoader(Map<String, String> env) {
        this(Objects.requireNonNull(env, "env")::get, DEFAULT_COMMAND_TIMEOUT, ProfileLoader::askTerminal,
                () -> System.err);
    }

    private ProfileLoader(Function<String, String> env, Duration commandTimeout, Function<String, char[]> prompter,
            Supplier<OutputStream> commandStderr) {
        this.env = env;
        this.commandTimeout = commandTimeout;
        this.prompter = prompter;
        this.commandStderr = commandStderr;
    }

    /** A copy whose secret commands without their own {@code timeout:} run at most this long. */
    public ProfileLoader withCommandTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new ProfileLoader(env, timeout, prompter, commandStderr);
    }

    /**
     * A copy that asks for {@code { prompt: true }} secrets with this function instead of the
     * terminal. It gets the prompt text and returns what was typed, or null when there is no
     * terminal to ask on.
     */
    public ProfileLoader withPrompter(Function<String, char[]> prompter) {
        return new ProfileLoader(env, commandTimeout, Objects.requireNonNull(prompter, "prompter"), commandStderr);
    }

    /** A copy that copies secret commands' standard error to {@code stderr} instead of {@code System.err}. */
    public ProfileLoader withCommandStderr(OutputStream stderr) {
        Objects.requireNonNull(stderr, "stderr");
        return new ProfileLoader(env, commandTimeout, prompter, () -> stderr);
    }

    /**
     * Where the profiles file is: {@code explicit} when not null, else {@code $POSTILION_PROFILES},
     * else {@code $XDG_CONFIG_HOME/postilion/profiles.yaml}, else {@code
     * ~/.config/postilion/profiles.yaml}. The file need not exist.
     */
    public Path locate(Path explicit) {
        return location(explicit).path();
    }

    /** Loads the file that {@link #locate(Path)} finds with no explicit file. */
    public ProfileFile load() {
        return load(null);
    }

    /**
     * Loads and checks the profiles file: {@code explicit} (from {@code --profiles}) when not null,
     * else the one {@link #locate(Path)} finds.
     *
     * @throws ProfileException NOINPUT (66) when a file named by {@code --profiles} or {@code
     *     $POSTILION_PROFILES} does not exist; CONFIG (78) for every other problem: the default file
     *     missing, unreadable, too large, not UTF-8, malformed YAML, unsafe YAML, unknown keys,
     *     wrong types, bad {@code extends}, a literal secret in a file others can read
     */
    public ProfileFile load(Path explicit) {
        return load(explicit, false);
    }

    /**
     * Loads the file as {@link #load(Path)} does, for showing it ({@code profiles list}, {@code
     * show}): a secret written in a file others can read refuses only the profiles that hold or
     * inherit it (resolving them throws the problem), so the others can still be listed.
     */
    public ProfileFile loadForDisplay(Path explicit) {
        return load(explicit, true);
    }

    private ProfileFile load(Path explicit, boolean display) {
        Location location = location(explicit);
        Path file = location.path();
        String text = decode(read(location), file);
        YamlText yamlText = new YamlText(text);
        Node root = compose(text, file, yamlText);
        Path baseDir = file.toAbsolutePath().getParent();
        SecretRequest.SecretRuntime runtime = new SecretRequest.SecretRuntime(env, home(), baseDir, prompter,
                commandStderr);
        ProfileParser parser = new ProfileParser(file, yamlText, runtime, commandTimeout);
        ProfileFile parsed = parser.parse(root);
        List<Setting> written = parser.writtenSecrets();
        if (!display) {
            if (!written.isEmpty()) {
                checkOwnerOnly(file, written.get(0));
            }
            return parsed;
        }
        // For list and show, a file others can read is not refused whole: only the profiles that
        // hold a written secret are, when resolved.
        Map<String, ProfileException> refused = new LinkedHashMap<>();
        for (Setting literal : written) {
            try {
                checkOwnerOnly(file, literal);
            } catch (ProfileException e) {
                refused.put(literal.profile(), e);
            }
        }
        return parsed.refusing(refused);
    }

    /** A secret written in the file is allowed only when nobody but the owner can read the file (as ssh and msmtp). */
    private static void checkOwnerOnly(Path file, Setting literal) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: there are no group and other bits to check
        } catch (IOException e) {
            throw ProfileException.at(literal.location(), literal.profile(), literal.key()
                    + " is written in the file, and the file's permissions cannot be checked ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (!OWNER_ONLY.containsAll(permissions)) {
            throw ProfileException.at(literal.location(), literal.profile(), literal.key()
                    + " is written in the file, so only its owner may read " + file + ", but its permissions are "
                    + PosixFilePermissions.toString(permissions) + "; fix: chmod 600 " + shellWord(file.toString()));
        }
    }

    /** The path as one shell word, quoted when it needs to be. */
    static String shellWord(String path) {
        if (path.matches("[A-Za-z0-9_./~+,:=@%-]+")) {
            return path;
        }
        return "'" + path.replace("'", "'\\''") + "'";
    }

    /** The chosen file and how it was chosen. */
    private record Location(Path path, boolean named, String namedBy) {
    }

    private Location location(Path explicit) {
        if (explicit != null) {
            return new Location(explicit, true, null);
        }
        String variable = env.apply(PROFILES_VARIABLE);
        if (variable != null && !variable.isEmpty()) {
            return new Location(path(variable, "$" + PROFILES_VARIABLE), true, "$" + PROFILES_VARIABLE);
        }
        String xdg = env.apply("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isEmpty() && path(xdg, "$XDG_CONFIG_HOME").isAbsolute()
                ? path(xdg, "$XDG_CONFIG_HOME")
                : home().resolve(".config");
        return new Location(config.resolve("postilion").resolve("profiles.yaml"), false, null);
    }

    private static Path path(String text, String from) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw ProfileException.config(from + " is not a usable path (" + e.getReason() + ")");
        }
    }

    private Path home() {
        String home = env.apply("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"));
    }

    private static byte[] read(Location location) {
        Path file = location.path();
        if (Files.isDirectory(file)) {
            throw ProfileException.config(file + ": is a folder, not a profiles file");
        }
        if (!Files.exists(file)) {
            if (location.named()) {
                throw new ProfileException(ProfileException.Kind.NOINPUT, file + ": profiles file not found"
                        + (location.namedBy() == null ? "" : " (named by " + location.namedBy() + ")"));
            }
            throw ProfileException.config(file + ": profiles file not found (create it, or name one with"
                    + " --profiles FILE or $" + PROFILES_VARIABLE + ")");
        }
        try {
            return InputFile.readAll(file, CAP);
        } catch (InputFile.Refused e) {
            if (e.getCause() instanceof AccessDeniedException) {
                throw ProfileException.config(file + ": cannot read the profiles file (permission denied)");
            }
            if (e.getCause() instanceof FileSystemException f) {
                throw ProfileException.config(file + ": cannot read the profiles file ("
                        + Objects.requireNonNullElse(f.getReason(), f.getClass().getSimpleName()) + ")");
            }
            throw ProfileException.config(e.getMessage());
        }
    }

    /** Strict UTF-8, so a stray byte is reported at its line rather than read as something else. */
    private static String decode(byte[] bytes, Path file) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw ProfileException.at(new ProfileLocation(file, line), "the file is not valid UTF-8 text");
        }
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static Node compose(String text, Path file, YamlText yamlText) {
        Yaml yaml = SafeYaml.yaml(SafeYaml.loaderOptions(MAX_BYTES, MAX_DEPTH, MAX_ALIASES));
        try {
            return yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            // SnakeYAML's own message quotes the offending line, which may hold a secret: use only
            // the problem and the mark, and keep the exception out of the cause chain.
            throw malformed(e, file, yamlText);
        } catch (YAMLException e) {
            String message = Objects.requireNonNullElse(e.getMessage(), "");
            if (message.contains("aliases")) {
                throw ProfileException.config(file + ": too many YAML aliases (more than " + MAX_ALIASES
                        + "); refused as a possible alias bomb");
            }
            if (message.contains("Nesting Depth")) {
                throw ProfileException.config(file + ": YAML nested deeper than " + MAX_DEPTH + " levels; refused");
            }
            if (message.contains("exceeds the limit")) {
                throw ProfileException.config(file + ": the profiles file is too large; the limit is 1 MB");
            }
            throw ProfileException.config(file + ": malformed YAML: " + message.lines().findFirst().orElse(""));
        }
    }

    private static ProfileException malformed(MarkedYAMLException e, Path file, YamlText yamlText) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        int line = mark == null ? 1 : mark.getLine() + 1;
        int contextLine = e.getContextMark() == null ? -1 : e.getContextMark().getLine() + 1;
        String where = file + ":" + line + (mark == null ? "" : ":" + (mark.getColumn() + 1));
        String problem = Objects.requireNonNullElse(e.getProblem(), "").replace('\n', ' ');
        int tab = problem.contains("\\t(TAB)") ? line : yamlText.tabIndented(line);
        if (tab > 0) {
            return ProfileException.config(file + ":" + tab + ": tab used for indentation at line " + tab
                    + "; YAML needs spaces" + yamlText.show(tab));
        }
        String globalTag = "Global tag is not allowed: ";
        if (problem.startsWith(globalTag)) {
            if (yamlText.holdsSecret(line)) {
                return ProfileException.config(where + ": a YAML tag is not allowed here (quote a value that starts with !)");
            }
            return ProfileException.config(where + ": tag " + YamlText.tagName(problem.substring(globalTag.length()).trim())
                    + " is not allowed: a profiles file holds plain values only");
        }
        if (problem.startsWith("found undefined alias")) {
            return ProfileException.config(where + ": malformed YAML: an alias (*name) with no anchor before it"
                    + " (quote a value that starts with *)" + (yamlText.holdsSecret(line) ? yamlText.show(line) : ""));
        }
        // A password or token that YAML reads as syntax (@, %, |, {, ": " ...): quoting it is the fix.
        for (int secretLine : new int[] {line, contextLine}) {
            if (yamlText.secretNeedsQuotes(secretLine)) {
                return ProfileException.config(file + ":" + secretLine + ": malformed YAML near a password or token"
                        + " (quote the value)" + yamlText.show(secretLine));
            }
        }
        String indentation = STRUCTURE.matcher(problem).find() ? yamlText.indentation(line) : null;
        if (indentation != null) {
            return ProfileException.config(where + ": malformed YAML: indentation: " + indentation
                    + yamlText.show(yamlText.lineAbove(line)) + yamlText.show(line));
        }
        String context = e.getContext() == null ? "" : " (" + e.getContext().replace('\n', ' ') + ")";
        if (yamlText.nearSecret(line)) {
            // SnakeYAML quotes characters it found; near a secret they may be part of it.
            problem = problem.replaceAll("'[^']*'", "a character").replaceAll("\\S+\\(\\d+\\)", "a character");
        }
        return ProfileException.config(where + ": malformed YAML: " + problem + context);
    }

    /** SnakeYAML's problems for a broken block structure, which wrong indentation causes. */
    private static final java.util.regex.Pattern STRUCTURE = java.util.regex.Pattern.compile(
            "mapping values are not allowed|expected <block end>|did not find expected|could not find expected ':'");

    /**
     * Reads a secret from the terminal without echo; null when there is no terminal. Since JDK 22
     * {@code System.console()} is not null without a terminal, and {@code Console.isTerminal()}
     * (absent before) says whether there is one.
     */
    private static char[] askTerminal(String prompt) {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            Object terminal = Console.class.getMethod("isTerminal").invoke(console);
            if (Boolean.FALSE.equals(terminal)) {
                return null;
            }
        } catch (ReflectiveOperationException e) {
            // JDK 17 to 21: a console exists only with a terminal.
        }
        return console.readPassword("%s", prompt);
    }
}

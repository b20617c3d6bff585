package dev.postilion.dsl;

import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovySystem;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.tools.GroovyClass;

/**
 * Compiled scripts kept on disk, so a cron job that runs the same script every hour compiles it
 * once: the classes are stored under {@code $XDG_CACHE_HOME/postilion/scripts/<key>}, keyed by
 * the script text, its name, the Groovy version and the Postilion build. A cache that cannot be
 * read or written only costs the compile; {@code POSTILION_SCRIPT_CACHE=0} turns it off.
 */
final class ScriptCache {

    private static final String MAIN = "main-class";

    private final Path root;

    private ScriptCache(Path root) {
        this.root = root;
    }

    static ScriptCache from(Function<String, String> env) {
        if ("0".equals(env.apply("POSTILION_SCRIPT_CACHE"))) {
            return new ScriptCache(null);
        }
        String xdg = env.apply("XDG_CACHE_HOME");
        String home = env.apply("HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home != null ? Path.of(home, ".cache") : null;
        return new ScriptCache(base == null ? null : base.resolve("postilion").resolve("scripts"));
    }

    /**
     * The script's class: from the cache, or compiled now (and stored).
     *
     * @throws org.codehaus.groovy.control.MultipleCompilationErrorsException for a script that does not compile
     */
    Class<?> scriptClass(String source, String name, CompilerConfiguration config) {
        Path dir = root == null ? null : root.resolve(key(source, name));
        if (dir != null) {
            Class<?> cached = load(dir);
            if (cached != null) {
                return cached;
            }
        }
        GroovyClassLoader gcl = new GroovyClassLoader(ScriptCache.class.getClassLoader(), config);
        CompilationUnit unit = new CompilationUnit(config, null, gcl);
        unit.addSource(name, source);
        unit.compile(Phases.CLASS_GENERATION);
        List<GroovyClass> classes = unit.getClasses();
        String main = unit.getFirstClassNode().getName();
        if (dir != null && store(dir, classes, main)) {
            Class<?> stored = load(dir);
            if (stored != null) {
                return stored;
            }
        }
        Class<?> first = null;
        for (GroovyClass c : classes) {
            Class<?> defined = gcl.defineClass(c.getName(), c.getBytes());
            if (c.getName().equals(main)) {
                first = defined;
            }
        }
        return first;
    }

    private static Class<?> load(Path dir) {
        Path mainFile = dir.resolve(MAIN);
        if (!Files.isRegularFile(mainFile)) {
            return null;
        }
        try {
            String main = Files.readString(mainFile, StandardCharsets.UTF_8).trim();
            URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                    ScriptCache.class.getClassLoader());
            return loader.loadClass(main);
        } catch (IOException | ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static boolean store(Path dir, List<GroovyClass> classes, String main) {
        Path tmp = null;
        try {
            Files.createDirectories(dir.getParent());
            tmp = Files.createTempDirectory(dir.getParent(), ".compiling-");
            for (GroovyClass c : classes) {
                Path file = tmp.resolve(c.getName().replace('.', '/') + ".class");
                Files.createDirectories(file.getParent());
                Files.write(file, c.getBytes());
            }
            Files.writeString(tmp.resolve(MAIN), main, StandardCharsets.UTF_8);
            // Published whole or not at all, so overlapping cron jobs never load half a script.
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            return Files.isDirectory(dir);
        } catch (IOException e) {
            return false;
        } finally {
            if (tmp != null && Files.exists(tmp)) {
                delete(tmp);
            }
        }
    }

    private static void delete(Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temporary folder only costs disk space.
        }
    }

    private static String key(String source, String name) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(source.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(name.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(GroovySystem.getVersion().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(build().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Identifies this build of Postilion: a rebuilt MailScript must not run old compiled scripts. */
    private static String build() {
        try {
            var location = MailScript.class.getProtectionDomain().getCodeSource().getLocation();
            Path p = Path.of(location.toURI());
            if (Files.isDirectory(p)) {
                p = p.resolve(MailScript.class.getName().replace('.', '/') + ".class");
            }
            return p + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis();
        } catch (Exception e) {
            return "unknown-" + System.nanoTime();
        }
    }
}

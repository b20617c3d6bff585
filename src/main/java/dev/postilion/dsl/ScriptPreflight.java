package dev.postilion.dsl;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.postilion.profile.Profile;

/**
 * The checks made after a script compiles and before it runs, so that a mistake the script is
 * sure to meet stops it before its first byte is sent, not after connecting and authenticating: a
 * call to no verb ({@code mial}), a named argument a verb does not take, a literal file that does
 * not exist (exit 66), a message sent with no sender given anywhere (no {@code from}, and no
 * profile the script connects with has one). It reads only what {@link ScriptFacts} gathered at
 * compile time, the file system and the profiles file: it never runs the script, so no secret
 * command runs and no prompt is shown twice, and no batch source is read.
 */
final class ScriptPreflight {

    private ScriptPreflight() {
    }

    /** Every mistake found, each at its line; empty when the script may run. */
    static List<ScriptError> check(Class<?> scriptClass, ScriptContext context) {
        List<Fact> facts = ScriptFacts.of(scriptClass);
        String name = context.scriptName();
        List<ScriptError> found = new ArrayList<>();
        for (Fact f : facts) {
            ScriptLocation at = new ScriptLocation(name, f.line());
            switch (f.kind()) {
                case MISTAKE -> found.add(new ScriptError(at, f.value()));
                case FILE -> missing(context, at, f).ifPresent(found::add);
                default -> {
                }
            }
        }
        found.addAll(senders(facts, context, name));
        found.sort(java.util.Comparator.comparingInt(e -> e.location().line()));
        return found;
    }

    private static java.util.Optional<ScriptError> missing(ScriptContext context, ScriptLocation at,
            Fact f) {
        Path p;
        try {
            p = context.resolve(f.value());
        } catch (InvalidPathException e) {
            return java.util.Optional.empty();
        }
        if (Files.exists(p)) {
            // A directory or device where a file belongs is for the verb itself to explain.
            return java.util.Optional.empty();
        }
        String what = f.verb().equals("file") ? "file " + p : f.verb() + ": file " + p;
        return java.util.Optional.of(new ScriptError(at, ScriptError.Kind.MISSING_FILE, what + " does not exist",
                null));
    }

    /**
     * Messages with no sender in sight fail only when no profile the script connects with gives a
     * {@code from}. A connect whose profile cannot be told, or a profiles file that cannot be read
     * now, leaves the question to the run.
     */
    private static List<ScriptError> senders(List<Fact> facts, ScriptContext context, String name) {
        List<Fact> unsent = facts.stream().filter(f -> f.kind() == Fact.Kind.NO_FROM).toList();
        if (unsent.isEmpty() || facts.stream().anyMatch(f -> f.kind() == Fact.Kind.SOME_PROFILE)) {
            return List.of();
        }
        if (facts.stream().noneMatch(f -> f.kind() == Fact.Kind.PROFILE
                || f.kind() == Fact.Kind.NO_PROFILE)) {
            // No connect at all: that is what the run will say first.
            return List.of();
        }
        for (Fact f : facts) {
            if (f.kind() != Fact.Kind.PROFILE) {
                continue;
            }
            try {
                Profile p = context.profile(f.value().isEmpty() ? null : f.value(), new ScriptLocation(name, f.line()));
                if (p.from() != null) {
                    return List.of();
                }
            } catch (RuntimeException e) {
                // The connect itself will say what is wrong with the profile.
                return List.of();
            }
        }
        List<ScriptError> out = new ArrayList<>();
        for (Fact f : unsent) {
            ScriptLocation at = new ScriptLocation(name, f.line());
            out.add(new ScriptError(at, switch (f.verb()) {
                case "mail" -> "mail needs from: — mail from: 'you@example.com' (from: '' sends MAIL FROM:<>), or a"
                        + " profile with from:";
                case "send" -> "send needs from: — the sender for MAIL FROM and the From header (from"
                        + " 'you@example.com' in the block, or a profile with from:)";
                default -> "batch: send { } names no sender, and no profile gives one: every row would be invalid;"
                        + " give from 'you@example.com' in the block (or a profile with from:)";
            }));
        }
        return out;
    }
}

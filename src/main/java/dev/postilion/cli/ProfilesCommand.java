package dev.postilion.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.postilion.profile.ConnectionPlan;
import dev.postilion.profile.Profile;
import dev.postilion.profile.ProfileDisplay;
import dev.postilion.profile.ProfileException;
import dev.postilion.profile.ProfileFile;
import dev.postilion.profile.ProfileLoader;
import dev.postilion.smtp.SmtpException;
import dev.postilion.smtp.SmtpSession;
import dev.postilion.transcript.SwaksPrinter;
import dev.postilion.transcript.TranscriptListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code postilion profiles list | show NAME | test NAME}: the YAML credential profiles. */
@Command(name = "profiles", mixinStandardHelpOptions = true, description = "List, show (secrets as their source) and test credential profiles.",
        subcommands = {ProfilesCommand.ListProfiles.class, ProfilesCommand.ShowProfile.class,
                ProfilesCommand.TestProfile.class})
public final class ProfilesCommand implements Callable<Integer> {

    @Option(names = "--profiles", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The profiles file (else $POSTILION_PROFILES, else ~/.config/postilion/profiles.yaml).")
    Path file;

    private final Io io;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public ProfilesCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        return Main.missingCommand(spec.commandLine());
    }

    private ProfileFile load() {
        return new ProfileLoader(io.env()).withPrompter(io.prompter()).load(file);
    }

    /** For list and show, which never read a secret: a profile refused for the file's mode is shown as refused. */
    private ProfileFile loadForDisplay() {
        return new ProfileLoader(io.env()).withPrompter(io.prompter()).loadForDisplay(file);
    }

    private static int fail(PrintStream err, ProfileException e) {
        err.println("postilion: " + e.getMessage());
        return ExitCode.of(e).code();
    }

    /** {@code profiles list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = {"Each profile: name, host:port, tls, auth, user; * marks the default.",
            "A profile that cannot be used is listed with its problem."})
    static final class ListProfiles implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        ProfilesCommand parent;

        @Override
        public Integer call() {
            try {
                parent.io.out().print(ProfileDisplay.list(parent.loadForDisplay()));
                return ExitCode.OK.code();
            } catch (ProfileException e) {
                return fail(parent.io.err(), e);
            }
        }
    }

    /** {@code profiles show NAME}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "One profile after extends and ${...}; secrets shown as their source.")
    static final class ShowProfile implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        ProfilesCommand parent;
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Profile (default: the default).")
        String name;

        @Override
        public Integer call() {
            try {
                ProfileFile f = parent.loadForDisplay();
                String n = name != null ? name : f.defaultProfile().name();
                parent.io.out().print(ProfileDisplay.show(f, n));
                return ExitCode.OK.code();
            } catch (ProfileException e) {
                return fail(parent.io.err(), e);
            }
        }
    }

    /** {@code profiles test NAME}: connect, TLS, AUTH, QUIT; no mail. */
    @Command(name = "test", mixinStandardHelpOptions = true, description = "Connect, start TLS and authenticate with a profile, then QUIT; no mail.")
    static final class TestProfile implements Callable<Integer> {
        @picocli.CommandLine.ParentCommand
        ProfilesCommand parent;
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Profile (default: the default).")
        String name;
        @Option(names = "--show-secrets", description = "Show secrets in the dialogue.")
        boolean showSecrets;

        @Override
        public Integer call() {
            PrintStream out = parent.io.out();
            PrintStream err = parent.io.err();
            Profile p;
            try {
                p = parent.load().select(name);
            } catch (ProfileException e) {
                return fail(err, e);
            }
            return test(p, out, err, showSecrets, parent.io);
        }
    }

    /**
     * Connects with a profile, authenticates if it says so, and quits; the exit code says how it went.
     * The connection is planned as every command plans one: the profile alone, no overrides.
     */
    static int test(Profile p, PrintStream out, PrintStream err, boolean showSecrets, Io io) {
        TranscriptListener t = new SwaksPrinter(out, err, showSecrets);
        ConnectionPlan plan = ConnectionPlan.of(ConnectionPlan.Surface.COMMAND, p, ConnectionPlan.Overrides.none()
                .withSurroundings(io.resolver(), io.env()::get));
        try (SmtpSession s = new SmtpSession(plan.options(), t)) {
            s.open(plan.dialHost(), plan.dialPort(), plan.helo());
            if (plan.credentials() != null) {
                s.authenticate(plan.mechanism(), plan.credentials());
            }
            String mechanism = s.authMechanism();
            s.quit();
            out.println("=== profile '" + p.name() + "' works: " + p.host() + ":" + p.port() + ", tls " + p.tls()
                    + (p.authenticates() ? ", auth " + mechanism + " as " + p.username() : ", no auth"));
            return ExitCode.OK.code();
        } catch (ProfileException e) {
            return fail(err, e);
        } catch (SmtpException e) {
            if (ProfileException.causing(e) != null) {
                // The profile's secret could not be read when AUTH asked for it.
                return fail(err, ProfileException.causing(e));
            }
            err.println("postilion: profile '" + p.name() + "' (" + p.location() + "): " + e.getMessage()
                    + Hints.profileRemedy(e));
            return ExitCode.of(e.kind()).code();
        }
    }
}

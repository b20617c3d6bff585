package dev.postilion.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** What a command prints of the dialogue: {@code -v} or {@code -q} (never both), and {@code --show-secrets}. */
final class OutputMixin {

    @ArgGroup(exclusive = true)
    Verbosity verbosity = new Verbosity();

    @Option(names = "--show-secrets", description = "Show passwords and tokens in the dialogue (never in errors).")
    boolean showSecrets;

    /** {@code -v} or {@code -q}. */
    static final class Verbosity {
        @Option(names = {"-v", "--verbose"}, description = "Print the dialogue on stderr instead of stdout (swaks style).")
        boolean verbose;

        @Option(names = {"-q", "--quiet"}, description = "Print nothing unless it fails; then the dialogue too.")
        boolean quiet;
    }

    /** {@code -v}: the dialogue goes to stderr. */
    boolean verbose() {
        return verbosity != null && verbosity.verbose;
    }

    /** {@code -q}: nothing unless it fails. */
    boolean quiet() {
        return verbosity != null && verbosity.quiet;
    }
}

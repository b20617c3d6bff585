package dev.postilion.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Options that parsed one by one but do not go together: printed as one line naming them, exit 64. */
final class UsageError extends CommandLine.ParameterException {

    UsageError(CommandSpec spec, String message) {
        super(spec.commandLine(), message);
    }
}

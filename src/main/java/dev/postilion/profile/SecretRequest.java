package dev.postilion.profile;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything a secret source needs to read its value and to word its errors: which profile and
 * key it belongs to, where it was written, and the run's environment.
 */
record SecretRequest(String profile, String key, ProfileLocation location, SecretRuntime runtime) {

    /** The error for this secret: {@code file:line: profile 'p': password: detail}. */
    ProfileException fail(String detail) {
        return ProfileException.at(location, profile, key + ": " + detail);
    }

    /**
     * What the sources read from: the environment, the home folder for {@code ~}, the folder
     * of the profiles file for relative paths, the prompt, and where a command's stderr goes.
     */
    record SecretRuntime(
            Function<String, String> env,
            Path home,
            Path baseDir,
            Function<String, char[]> prompter,
            Supplier<OutputStream> stderr) {
    }
}

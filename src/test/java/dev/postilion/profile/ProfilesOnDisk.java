package dev.postilion.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

/** Test fixture: writes profiles files (owner-only, like a real one) and loaders with a made-up environment. */
final class ProfilesOnDisk {

    private ProfilesOnDisk() {
    }

    /** Writes {@code profiles.yaml} in {@code dir} with mode 600. */
    static Path write(Path dir, String yaml) {
        return write(dir, "profiles.yaml", yaml, "rw-------");
    }

    /** Writes a file with the given text and POSIX permissions ({@code rw-r--r--} form). */
    static Path write(Path dir, String name, String text, String permissions) {
        try {
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An environment holding only {@code HOME=dir} plus the given pairs; modifiable, so tests can change it. */
    static Map<String, String> env(Path home, String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    /** Loads {@code yaml} written to {@code dir/profiles.yaml} with an environment of only HOME plus pairs. */
    static ProfileFile load(Path dir, String yaml, String... envPairs) {
        return new ProfileLoader(env(dir, envPairs)).load(write(dir, yaml));
    }
}

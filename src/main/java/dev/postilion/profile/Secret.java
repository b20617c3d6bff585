package dev.postilion.profile;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A password or token whose value is read only when AUTH needs it. {@link #toString()} is always
 * {@value #MASK}; {@link #source()} says where the value comes from ({@code <env WORK_PASS>}) for
 * display; only {@link #reveal()} (or {@link #get()}, the same as a {@link Supplier}) gives the
 * value, and only the AUTH exchange should call it: a {@code Secret} is handed to
 * {@code Credentials} as it is, so the mechanism reads it when the server asks for it.
 *
 * <p>The value is read once and kept for the rest of the run, except for a {@linkplain
 * #refreshing() refreshing} secret (a {@code token:} read from a {@code command:}), whose command
 * runs again on each {@code reveal()} because tokens expire.
 */
public final class Secret implements Supplier<String> {

    /** What a secret looks like wherever it is printed. */
    public static final String MASK = "********";

    private final SecretSource source;
    private final SecretRequest request;
    private final boolean refreshing;
    private String value;

    Secret(SecretSource source, SecretRequest request, boolean refreshing) {
        this.source = Objects.requireNonNull(source, "source");
        this.request = request;
        this.refreshing = refreshing;
    }

    /**
     * A secret given directly by a program (for example a DSL script's {@code password: '...'}).
     * Its source reads {@code <literal>}.
     */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "value");
        return new Secret(new SecretSource.Literal(value), null, false);
    }

    /**
     * The value, read from its source the first time (or every time, when {@link #refreshing()}).
     *
     * @throws ProfileException (CONFIG) when the source cannot give a value: an unset environment
     *     variable, a missing file, a failing or slow command, no terminal to prompt on. The
     *     message names the profile, the key and the file and line; never a value.
     */
    public synchronized String reveal() {
        if (value != null) {
            return value;
        }
        String read = source.read(request);
        if (!refreshing) {
            value = read;
        }
        return read;
    }

    /** {@link #reveal()}: a secret is the supplier of its own value. */
    @Override
    public String get() {
        return reveal();
    }

    /** Where the value comes from, for display: {@code <env NAME>}, {@code <file PATH>}, {@code <command CMD>}, {@code <prompt>} or {@code <literal>}. */
    public String source() {
        return source.describe();
    }

    /** True when every {@link #reveal()} reads the source again (a token from a command). */
    public boolean refreshing() {
        return refreshing;
    }

    /** Always {@value #MASK}, so a secret can't leak through string concatenation or logging. */
    @Override
    public String toString() {
        return MASK;
    }
}

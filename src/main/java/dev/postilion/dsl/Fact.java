package dev.postilion.dsl;

/**
 * One thing the compiler can tell about a script without running it, at a script line: gathered
 * by {@link FactWalker}, kept by {@link ScriptFacts}, checked by {@link ScriptPreflight}.
 */
record Fact(Kind kind, int line, String verb, String value) {

    /** What a fact says. */
    enum Kind {
        /** A mistake found by reading the script: {@code value} is the message (exit 65). */
        MISTAKE,
        /** A file the script is sure to need: {@code verb} names the verb, {@code value} the path as written. */
        FILE,
        /** A message sent with no sender in sight: {@code verb} is mail, send or batch. */
        NO_FROM,
        /** A connect that takes a profile: {@code value} is its name, empty for the default one. */
        PROFILE,
        /** A connect whose profile cannot be told without running the script. */
        SOME_PROFILE,
        /** A connect to a host the script names, so with no profile. */
        NO_PROFILE
    }
}

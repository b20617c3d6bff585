package dev.postilion.dsl;

import groovy.lang.Closure;

/** Reads the value of whatever a script passed as a password or token, only when AUTH needs it. */
final class Secrets {

    private Secrets() {
    }

    static String reveal(Object secret) {
        if (secret == null) {
            return null;
        }
        if (secret instanceof ScriptContext.MaskedSecret m) {
            return m.value();
        }
        if (secret instanceof dev.postilion.profile.Secret s) {
            return s.reveal();
        }
        if (secret instanceof Closure<?> c) {
            return reveal(c.call());
        }
        return secret.toString();
    }
}

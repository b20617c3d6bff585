package dev.postilion.dsl;

import groovy.lang.Closure;
import java.util.function.Supplier;

/**
 * Whatever a script passed as a password or token, as a supplier read only when AUTH needs it: a
 * {@code secret('name')} is its own supplier, a closure is called then, any other value is its text.
 */
final class Secrets {

    private Secrets() {
    }

    static Supplier<String> of(Object secret) {
        if (secret == null) {
            return null;
        }
        if (secret instanceof dev.postilion.profile.Secret s) {
            return s;
        }
        if (secret instanceof Closure<?> c) {
            return () -> text(c.call());
        }
        String text = secret.toString();
        return () -> text;
    }

    private static String text(Object value) {
        Supplier<String> s = of(value);
        return s == null ? null : s.get();
    }
}

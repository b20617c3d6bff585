package dev.postilion.dsl;

import groovy.lang.Binding;
import java.nio.file.Path;
import java.util.function.Supplier;

import dev.postilion.batch.SessionFactory;

/**
 * The script as its blocks ({@link DataSpec}, {@link BatchRowSpec}, {@link BatchRun}) see it: the
 * few things they ask of it, never the whole script (Job DSL hands its contexts a narrow service
 * the same way).
 */
interface ScriptScope {

    /** The script line running now. */
    ScriptLocation here();

    /** A file the script names, relative to the script's folder. */
    Path resolve(String path);

    /** Records a mistake in a dry run (and returns {@code fallback}); throws it otherwise. */
    <T> T problem(ScriptError error, T fallback);

    /** The script's variables ({@code --var}, assignments without {@code def}). */
    Binding binding();

    /** The sender when a message names none: the connection's profile's {@code from}, or null. */
    String profileFrom();

    /** The run a batch reports to: options, time limit, transcript, profile in use. */
    ScriptContext context();

    /** Connections made like the script's last {@code connect} and {@code auth}; null before any connect. */
    SessionFactory connections();

    /** The scope of a running script. */
    static ScriptScope of(ScriptContext context, Supplier<Binding> binding, Supplier<SessionFactory> connections) {
        return new ScriptScope() {
            @Override public ScriptLocation here() {
                return context.here();
            }

            @Override public Path resolve(String path) {
                return context.resolve(path);
            }

            @Override public <T> T problem(ScriptError error, T fallback) {
                return context.problem(error, fallback);
            }

            @Override public Binding binding() {
                return binding.get();
            }

            @Override public String profileFrom() {
                return context.profileFrom();
            }

            @Override public ScriptContext context() {
                return context;
            }

            @Override public SessionFactory connections() {
                return connections.get();
            }
        };
    }
}

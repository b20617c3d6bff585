package dev.postilion.dsl;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.FieldNode;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;

/**
 * What the compiler can tell about a script without running it, gathered while it compiles and
 * kept in the compiled class (so a script from the cache still has them): calls to names that are
 * no verb, method or variable ({@code mial}); named arguments a verb does not take; file names
 * written as literals ({@code attach 'report.pdf'}, {@code csv('people.csv')}); the messages that
 * name no sender; the profiles the script connects with. {@link ScriptPreflight} checks them
 * before the script runs. {@link FactWalker} reads the code, {@link VerbFacts} each verb's call;
 * this class holds the facts and keeps them in the class.
 *
 * <p>The rule throughout is: when unsure, say nothing. Calls inside closures handed to anything
 * but a known verb or an iteration method are not judged (such a closure may get any delegate);
 * scripts that define {@code methodMissing}, touch the binding or the meta class are not judged
 * for unknown names; a literal file counts only where the script is sure to reach it (not inside
 * an {@code if}, a loop, a {@code try}, or after an early {@code return}).
 */
final class ScriptFacts {

    /** The static field of a compiled script that holds its facts. */
    static final String FIELD = "$postilionFacts";

    private ScriptFacts() {
    }

    /** The facts a compiled script carries (none for a class compiled without {@link Collector}). */
    static List<Fact> of(Class<?> script) {
        try {
            Field f = script.getDeclaredField(FIELD);
            if (!Modifier.isStatic(f.getModifiers())) {
                return List.of();
            }
            f.setAccessible(true);
            Object v = f.get(null);
            return v instanceof String s ? decode(s) : List.of();
        } catch (NoSuchFieldException | IllegalAccessException | RuntimeException e) {
            return List.of();
        }
    }

    // ------------------------------------------------------------------ encoding

    static String encode(List<Fact> facts) {
        StringBuilder sb = new StringBuilder();
        for (Fact f : facts) {
            sb.append(f.kind().name()).append('\t').append(f.line()).append('\t').append(escape(f.verb())).append('\t')
                    .append(escape(f.value())).append('\n');
        }
        return sb.toString();
    }

    static List<Fact> decode(String text) {
        List<Fact> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] p = line.split("\t", -1);
            if (p.length == 4) {
                out.add(new Fact(Fact.Kind.valueOf(p[0]), Integer.parseInt(p[1]), unescape(p[2]), unescape(p[3])));
            }
        }
        return out;
    }

    private static String escape(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ collecting

    /** Gathers the facts of a script class as it compiles and stores them in the class. */
    static final class Collector extends CompilationCustomizer {

        /** Runs after names are resolved (SEMANTIC_ANALYSIS), so local variables are told from verbs. */
        Collector() {
            super(CompilePhase.CANONICALIZATION);
        }

        @Override
        public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
            if (!classNode.isScript() || classNode.getField(FIELD) != null) {
                return;
            }
            List<Fact> facts;
            try {
                facts = new FactWalker(source.getName(), classNode, source.getAST()).walk();
            } catch (RuntimeException | StackOverflowError e) {
                // The facts only help; a script they cannot be read from still runs as before.
                facts = List.of();
            }
            String text = encode(facts);
            if (text.length() > 30_000) {
                text = "";
            }
            classNode.addField(new FieldNode(FIELD, Modifier.PUBLIC | Modifier.STATIC | Modifier.FINAL
                    | 0x1000 /* synthetic */, ClassHelper.STRING_TYPE, classNode, new ConstantExpression(text)));
        }
    }
}

package dev.postilion.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codehaus.groovy.ast.ClassCodeVisitorSupport;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.DynamicVariable;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MapEntryExpression;
import org.codehaus.groovy.ast.expr.MapExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * Finds, while compiling and so before anything is sent, the verbs a script writes where they
 * cannot work: an SMTP verb inside {@code data { }}, {@code send { }} or a batch's block (it would
 * run on the script's own connection in the middle of a transaction), and a bare verb that Groovy
 * reads as a value: {@code auth plain user: 'x', password: p} is {@code auth.plain(...)}, a bare
 * {@code auth} with the profile's credentials followed by a call on its reply. The same refusals
 * happen at run time for what the source does not show (a method of the script called in a block).
 */
final class VerbPlacement extends CompilationCustomizer {

    /** Verbs that work without parentheses (a property read in Groovy). */
    private static final Set<String> BARE = Set.of("quit", "ehlo", "helo", "rset", "noop", "starttls", "auth", "mail",
            "connect");

    /** The named options of the bare verbs, which Groovy turns into a call on the verb's reply when the colon is missing. */
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "auth", Set.of("user", "password", "token", "authzid"),
            "mail", Set.copyOf(VerbOptions.MAIL.keys()),
            "connect", Set.copyOf(VerbOptions.CONNECT.keys()));

    /** Names that are the script's variables (--var), so a bare {@code mail} is a value, not the verb. */
    private final Set<String> variables;

    VerbPlacement(Set<String> variables) {
        super(CompilePhase.CANONICALIZATION);
        this.variables = Set.copyOf(variables);
    }

    @Override
    public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        Set<String> names = new java.util.HashSet<>(variables);
        // mail = 'ops@example.com' (no def) makes a variable of the script: a bare mail then reads it.
        new ClassCodeVisitorSupport() {
            @Override
            protected SourceUnit getSourceUnit() {
                return source;
            }

            @Override
            public void visitBinaryExpression(org.codehaus.groovy.ast.expr.BinaryExpression b) {
                if (b.getOperation().getText().equals("=") && b.getLeftExpression() instanceof VariableExpression v
                        && v.getAccessedVariable() instanceof DynamicVariable) {
                    names.add(v.getName());
                }
                super.visitBinaryExpression(b);
            }
        }.visitClass(classNode);
        new Walker(source, names).visitClass(classNode);
    }

    /** A misplaced verb, reported as a compile error of the script with its line. */
    static final class Misplaced extends SyntaxException {
        Misplaced(String message, Expression at) {
            super(message, at.getLineNumber(), at.getColumnNumber());
        }
    }

    private static final class Walker extends ClassCodeVisitorSupport {
        private final SourceUnit source;
        private final Set<String> variables;
        /** The block being walked: null (the script), "data", "send" or "batch". */
        private String block;

        Walker(SourceUnit source, Set<String> variables) {
            this.source = source;
            this.variables = variables;
        }

        @Override
        protected SourceUnit getSourceUnit() {
            return source;
        }

        @Override
        public void visitMethodCallExpression(MethodCallExpression call) {
            String name = call.getMethodAsString();
            if (name == null) {
                super.visitMethodCallExpression(call);
                return;
            }
            String verb = bareVerb(call.getObjectExpression());
            if (verb != null && !variables.contains(verb) && (verb.equals("auth") ? VerbSpelling.MECHANISMS.contains(name)
                    || OPTIONS.get("auth").contains(name) : OPTIONS.getOrDefault(verb, Set.of()).contains(name))) {
                report(verb.equals("auth") ? authShape(name, call) : verb + " " + name + " ...: Groovy reads this as a"
                        + " bare " + verb + " followed by ." + name + "(...); write " + VerbSpelling.of(verb), call);
                call.getArguments().visit(this);
                return;
            }
            boolean onScript = call.isImplicitThis() || isThis(call.getObjectExpression());
            if (onScript && block != null && VerbSpelling.SMTP_VERBS.contains(name)
                    && !(block.equals("batch") && name.equals("send"))) {
                report(misplaced(name), call);
                return;
            }
            ClosureExpression body = onScript && (name.equals("data") || name.equals("send") || name.equals("batch"))
                    ? lastClosure(call.getArguments()) : null;
            if (body == null) {
                super.visitMethodCallExpression(call);
                return;
            }
            call.getObjectExpression().visit(this);
            if (call.getArguments() instanceof TupleExpression t) {
                for (Expression e : t.getExpressions()) {
                    if (e != body) {
                        e.visit(this);
                    }
                }
            }
            String outer = block;
            block = name;
            try {
                body.getCode().visit(this);
            } finally {
                block = outer;
            }
        }

        @Override
        public void visitVariableExpression(VariableExpression v) {
            String verb = bareVerb(v);
            if (block != null && verb != null && !variables.contains(verb)) {
                report(misplaced(verb), v);
            }
        }

        @Override
        public void visitPropertyExpression(PropertyExpression p) {
            String name = p.getPropertyAsString();
            if (block != null && isThis(p.getObjectExpression()) && name != null && BARE.contains(name)) {
                report(misplaced(name), p);
                return;
            }
            super.visitPropertyExpression(p);
        }

        private String misplaced(String verb) {
            return block.equals("batch") ? VerbSpelling.insideBatch(verb) : VerbSpelling.insideMessageBlock(verb);
        }

        private void report(String message, Expression at) {
            source.getErrorCollector().addErrorAndContinue(new SyntaxErrorMessage(new Misplaced(message, at), source));
        }
    }

    /** The verb a bare word names ({@code quit}, {@code auth}), when it is not a variable of the script. */
    private static String bareVerb(Expression e) {
        if (e instanceof VariableExpression v && v.getAccessedVariable() instanceof DynamicVariable
                && BARE.contains(v.getName())) {
            return v.getName();
        }
        return null;
    }

    private static boolean isThis(Expression e) {
        return e instanceof VariableExpression v && v.isThisExpression();
    }

    private static ClosureExpression lastClosure(Expression arguments) {
        if (arguments instanceof TupleExpression t && !t.getExpressions().isEmpty()
                && t.getExpression(t.getExpressions().size() - 1) instanceof ClosureExpression c) {
            return c;
        }
        return null;
    }

    /**
     * {@code auth plain user: 'x', password: p} (read as {@code auth.plain([user: 'x', password: p])})
     * and its siblings: the spelling, built from what was written; a literal password or token is
     * never repeated.
     */
    private static String authShape(String word, MethodCallExpression call) {
        String mechanism = VerbSpelling.MECHANISMS.contains(word) ? word : "login";
        String key = mechanism.equals("digestMd5") ? "'digest-md5'" : mechanism;
        Expression user = null;
        List<String> rest = new ArrayList<>();
        List<Expression> positional = new ArrayList<>();
        if (call.getArguments() instanceof TupleExpression t) {
            for (Expression e : t.getExpressions()) {
                if (e instanceof MapExpression m) {
                    for (MapEntryExpression entry : m.getMapEntryExpressions()) {
                        String k = entry.getKeyExpression().getText();
                        if (k.equals("user") && user == null) {
                            user = entry.getValueExpression();
                        } else {
                            rest.add(k + ": " + render(entry.getValueExpression(), k));
                        }
                    }
                } else {
                    positional.add(e);
                }
            }
        }
        if (user == null && !positional.isEmpty()) {
            user = positional.get(0);
        }
        List<String> parts = new ArrayList<>();
        parts.add(key + ": " + (user == null ? "'user'" : render(user, "user")));
        parts.addAll(rest);
        if (rest.stream().noneMatch(r -> r.startsWith("password:") || r.startsWith("token:"))) {
            parts.add(mechanism.equals("xoauth2") || mechanism.equals("oauthbearer") ? "token: t" : "password: p");
        }
        return "auth " + word + " ... reads as a bare auth (the profile's credentials) followed by ." + word
                + "(...) on its reply: `auth " + String.join(", ", parts) + "` is the spelling";
    }

    private static String render(Expression e, String key) {
        boolean secret = key.equals("password") || key.equals("token");
        if (e instanceof ConstantExpression c) {
            if (secret) {
                return "'********'";
            }
            return c.getValue() instanceof String s ? "'" + s.replace("'", "\\'") + "'" : String.valueOf(c.getValue());
        }
        if (e instanceof VariableExpression v) {
            return v.getName();
        }
        if (e instanceof PropertyExpression p && p.getObjectExpression() instanceof VariableExpression o
                && p.getPropertyAsString() != null) {
            return o.getName() + "." + p.getPropertyAsString();
        }
        if (e instanceof MethodCallExpression m && m.isImplicitThis() && m.getArguments() instanceof TupleExpression t) {
            List<String> args = new ArrayList<>();
            for (Expression a : t.getExpressions()) {
                args.add(render(a, ""));
            }
            return m.getMethodAsString() + "(" + String.join(", ", args) + ")";
        }
        return secret ? "p" : "...";
    }
}

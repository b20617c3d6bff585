package dev.postilion.dsl;

import dev.postilion.text.Spelling;
import groovy.lang.Closure;
import groovy.lang.GroovySystem;
import groovy.lang.MetaClass;
import groovy.lang.MetaMethod;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codehaus.groovy.ast.ClassHelper;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.DynamicVariable;
import org.codehaus.groovy.ast.FieldNode;
import org.codehaus.groovy.ast.ImportNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.Parameter;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.ElvisOperatorExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.GStringExpression;
import org.codehaus.groovy.ast.expr.MapEntryExpression;
import org.codehaus.groovy.ast.expr.MapExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.TernaryExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.BreakStatement;
import org.codehaus.groovy.ast.stmt.CaseStatement;
import org.codehaus.groovy.ast.stmt.ContinueStatement;
import org.codehaus.groovy.ast.stmt.DoWhileStatement;
import org.codehaus.groovy.ast.stmt.ForStatement;
import org.codehaus.groovy.ast.stmt.IfStatement;
import org.codehaus.groovy.ast.stmt.ReturnStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.ast.stmt.SwitchStatement;
import org.codehaus.groovy.ast.stmt.ThrowStatement;
import org.codehaus.groovy.ast.stmt.TryCatchStatement;
import org.codehaus.groovy.ast.stmt.WhileStatement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;
import org.codehaus.groovy.syntax.Types;

/**
 * What the compiler can tell about a script without running it, gathered while it compiles and
 * kept in the compiled class (so a script from the cache still has them): calls to names that are
 * no verb, method or variable ({@code mial}); named arguments a verb does not take; file names
 * written as literals ({@code attach 'report.pdf'}, {@code csv('people.csv')}); the messages that
 * name no sender; the profiles the script connects with. {@link ScriptPreflight} checks them
 * before the script runs.
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

    /** One fact, at a script line. */
    record Fact(Kind kind, int line, String verb, String value) {
    }

    /** The named arguments each verb takes, as the verbs themselves check them. */
    static final Map<String, List<String>> KEYS = Map.of(
            "connect", List.of("host", "port", "tls", "tlsCa", "insecure", "timeout", "allowCleartextAuth",
                    "pipelining", "chunking", "profile"),
            "auth", List.of("login", "plain", "cram-md5", "cramMd5", "xoauth2", "oauthbearer", "digest-md5", "ntlm",
                    "auto", "user", "password", "token", "authzid"),
            "mail", List.of("from", "size", "body", "smtputf8", "ret", "envid"),
            "rcpt", List.of("to", "notify", "orcpt"),
            "data", List.of("addMissingHeaders"),
            "csv", List.of("delimiter"),
            "batch", List.of(BatchRun.KEYS),
            "attach", List.of("type", "name"),
            "inline", List.of("cid", "type"));

    /** The words of a message block, for suggestions. */
    private static final List<String> MESSAGE_WORDS = List.of("from", "to", "cc", "bcc", "replyTo", "subject", "text",
            "html", "header", "attach", "inline", "priority", "messageId", "date", "template", "templateHtml");

    /** Methods whose closure runs with its owner's names (its delegate is left alone). */
    private static final Set<String> ITERATIONS = Set.of("each", "eachWithIndex", "reverseEach", "collect",
            "collectMany", "collectEntries", "find", "findAll", "findResult", "findResults", "any", "every", "times",
            "upto", "downto", "step", "inject", "sum", "count", "groupBy", "sort", "toSorted", "eachLine",
            "withCloseable", "withReader", "withWriter");

    /** Names that mean a script finds its methods in ways no reader can follow. */
    private static final Set<String> DYNAMIC = Set.of("binding", "getBinding", "setBinding", "setVariable",
            "evaluate", "metaClass", "getMetaClass", "setMetaClass", "mixin", "invokeMethod", "methodMissing");

    private static Set<String> scriptNames;
    private static Set<String> messageNames;
    private static Set<String> batchNames;
    private static Set<String> closureNames;

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
                out.add(new Fact(Kind.valueOf(p[0]), Integer.parseInt(p[1]), unescape(p[2]), unescape(p[3])));
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

    // ------------------------------------------------------------------ known names

    private static synchronized void loadNames() {
        if (scriptNames == null) {
            scriptNames = names(MailScript.class);
            messageNames = names(DataSpec.class);
            batchNames = names(BatchRowSpec.class);
            closureNames = names(Closure.class);
        }
    }

    /** Every method Groovy finds on an instance of {@code type}: its own, inherited, and the GDK's. */
    private static Set<String> names(Class<?> type) {
        Set<String> out = new HashSet<>();
        MetaClass mc = GroovySystem.getMetaClassRegistry().getMetaClass(type);
        for (MetaMethod m : mc.getMethods()) {
            out.add(m.getName());
        }
        for (MetaMethod m : mc.getMetaMethods()) {
            out.add(m.getName());
        }
        for (java.lang.reflect.Method m : type.getMethods()) {
            out.add(m.getName());
        }
        return out;
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
                facts = new Walker(source.getName(), classNode, source.getAST()).walk();
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

    /** Where a call's implicit {@code this} leads: the message, the batch row, or the script. */
    private enum Target { MESSAGE, BATCH, SCRIPT, OWN_METHOD }

    /** A closure's view: the names its delegate adds, or none; and whether calls in it are judged at all. */
    private record Scope(Target delegate, boolean judged) {
    }

    private static final class Walker extends CodeVisitorSupport {
        private final String name;
        private final ClassNode script;
        private final ModuleNode module;
        private final List<Fact> facts = new ArrayList<>();
        private final Set<String> declared = new HashSet<>();
        private final Set<String> ownMethods = new HashSet<>();
        private final Deque<Scope> scopes = new ArrayDeque<>();
        private boolean dynamic;
        private boolean certain;
        /** The call whose arguments are being visited, for calls nested in {@code auth plain ...}. */
        private String parentCall;

        Walker(String name, ClassNode script, ModuleNode module) {
            this.name = name;
            this.script = script;
            this.module = module;
        }

        List<Fact> walk() {
            loadNames();
            for (MethodNode m : script.getMethods()) {
                if (!m.getName().equals("run") && !m.getName().equals("main") && !m.getName().startsWith("<")) {
                    ownMethods.add(m.getName());
                }
                for (Parameter p : m.getParameters()) {
                    declared.add(p.getName());
                }
            }
            for (FieldNode f : script.getFields()) {
                declared.add(f.getName());
            }
            for (ImportNode i : module.getStaticImports().values()) {
                declared.add(i.getFieldName());
                declared.add(i.getAlias());
            }
            module.getStaticImports().keySet().forEach(declared::add);
            dynamic = !module.getStaticStarImports().isEmpty() || ownMethods.contains("methodMissing")
                    || ownMethods.contains("invokeMethod");
            Names names = new Names();
            for (MethodNode m : script.getMethods()) {
                if (m.getCode() != null) {
                    m.getCode().visit(names);
                }
            }
            MethodNode run = script.getMethod("run", Parameter.EMPTY_ARRAY);
            scopes.push(new Scope(null, true));
            for (MethodNode m : script.getMethods()) {
                if (m.getCode() == null || m.getName().startsWith("<") || m.getName().equals("main")) {
                    continue;
                }
                certain = m == run;
                m.getCode().visit(this);
            }
            return facts;
        }

        /** First pass: every declared name, and whether the script plays with dispatch. */
        private final class Names extends CodeVisitorSupport {
            @Override
            public void visitDeclarationExpression(DeclarationExpression e) {
                if (e.isMultipleAssignmentDeclaration()) {
                    e.getTupleExpression().getExpressions().forEach(x -> {
                        if (x instanceof VariableExpression v) {
                            declared.add(v.getName());
                        }
                    });
                } else {
                    declared.add(e.getVariableExpression().getName());
                }
                super.visitDeclarationExpression(e);
            }

            @Override
            public void visitBinaryExpression(BinaryExpression e) {
                if (e.getOperation().getType() == Types.ASSIGN
                        && e.getLeftExpression() instanceof VariableExpression v) {
                    declared.add(v.getName());
                }
                super.visitBinaryExpression(e);
            }

            @Override
            public void visitClosureExpression(ClosureExpression e) {
                if (e.getParameters() != null) {
                    for (Parameter p : e.getParameters()) {
                        declared.add(p.getName());
                    }
                }
                super.visitClosureExpression(e);
            }

            @Override
            public void visitVariableExpression(VariableExpression e) {
                if (DYNAMIC.contains(e.getName())) {
                    dynamic = true;
                }
            }

            @Override
            public void visitPropertyExpression(PropertyExpression e) {
                if (DYNAMIC.contains(e.getPropertyAsString())) {
                    dynamic = true;
                }
                super.visitPropertyExpression(e);
            }

            @Override
            public void visitMethodCallExpression(MethodCallExpression e) {
                String n = e.getMethodAsString();
                if (n == null || DYNAMIC.contains(n)) {
                    dynamic = true;
                }
                super.visitMethodCallExpression(e);
            }

            @Override
            public void visitForLoop(ForStatement s) {
                declared.add(s.getVariable().getName());
                super.visitForLoop(s);
            }

            @Override
            public void visitTryCatchFinally(TryCatchStatement s) {
                s.getCatchStatements().forEach(c -> declared.add(c.getVariable().getName()));
                super.visitTryCatchFinally(s);
            }
        }

        // -------------------------------------------------------------- certainty

        @Override
        public void visitBlockStatement(BlockStatement block) {
            boolean was = certain;
            for (Statement s : block.getStatements()) {
                s.visit(this);
                if (leaves(s)) {
                    certain = false;
                }
            }
            certain = was;
        }

        /** True when a statement may end its block early (a return, throw, break or continue outside closures). */
        private static boolean leaves(Statement s) {
            boolean[] found = {false};
            s.visit(new CodeVisitorSupport() {
                @Override
                public void visitReturnStatement(ReturnStatement r) {
                    found[0] = true;
                }

                @Override
                public void visitThrowStatement(ThrowStatement t) {
                    found[0] = true;
                }

                @Override
                public void visitBreakStatement(BreakStatement b) {
                    found[0] = true;
                }

                @Override
                public void visitContinueStatement(ContinueStatement c) {
                    found[0] = true;
                }

                @Override
                public void visitClosureExpression(ClosureExpression c) {
                    // A return inside a closure leaves the closure only.
                }
            });
            return found[0];
        }

        private void uncertain(Runnable r) {
            boolean was = certain;
            certain = false;
            try {
                r.run();
            } finally {
                certain = was;
            }
        }

        @Override
        public void visitIfElse(IfStatement s) {
            s.getBooleanExpression().visit(this);
            uncertain(() -> {
                s.getIfBlock().visit(this);
                s.getElseBlock().visit(this);
            });
        }

        @Override
        public void visitForLoop(ForStatement s) {
            s.getCollectionExpression().visit(this);
            uncertain(() -> s.getLoopBlock().visit(this));
        }

        @Override
        public void visitWhileLoop(WhileStatement s) {
            s.getBooleanExpression().visit(this);
            uncertain(() -> s.getLoopBlock().visit(this));
        }

        @Override
        public void visitDoWhileLoop(DoWhileStatement s) {
            uncertain(() -> super.visitDoWhileLoop(s));
        }

        @Override
        public void visitTryCatchFinally(TryCatchStatement s) {
            uncertain(() -> super.visitTryCatchFinally(s));
        }

        @Override
        public void visitSwitch(SwitchStatement s) {
            s.getExpression().visit(this);
            uncertain(() -> {
                for (CaseStatement c : s.getCaseStatements()) {
                    c.visit(this);
                }
                s.getDefaultStatement().visit(this);
            });
        }

        @Override
        public void visitTernaryExpression(TernaryExpression e) {
            e.getBooleanExpression().visit(this);
            uncertain(() -> {
                if (!(e instanceof ElvisOperatorExpression)) {
                    e.getTrueExpression().visit(this);
                }
                e.getFalseExpression().visit(this);
            });
        }

        @Override
        public void visitBinaryExpression(BinaryExpression e) {
            int op = e.getOperation().getType();
            if (op == Types.LOGICAL_AND || op == Types.LOGICAL_OR) {
                e.getLeftExpression().visit(this);
                uncertain(() -> e.getRightExpression().visit(this));
                return;
            }
            super.visitBinaryExpression(e);
        }

        // -------------------------------------------------------------- closures

        @Override
        public void visitClosureExpression(ClosureExpression e) {
            // A closure handed to no known verb: it may get any delegate, and may never run.
            inClosure(e, new Scope(null, false), false);
        }

        private void inClosure(ClosureExpression e, Scope scope, boolean runs) {
            boolean was = certain;
            certain = runs && certain;
            scopes.push(scope);
            try {
                e.getCode().visit(this);
            } finally {
                scopes.pop();
                certain = was;
            }
        }

        private boolean judged() {
            for (Scope s : scopes) {
                if (!s.judged()) {
                    return false;
                }
            }
            return !dynamic;
        }

        /** Where an implicit-this call to {@code method} goes, or null when that cannot be told. */
        private Target resolve(String method) {
            for (Scope s : scopes) {
                if (!s.judged()) {
                    return null;
                }
                if (s.delegate() == Target.MESSAGE && messageNames.contains(method)) {
                    return Target.MESSAGE;
                }
                if (s.delegate() == Target.BATCH && batchNames.contains(method)) {
                    return Target.BATCH;
                }
            }
            if (ownMethods.contains(method)) {
                return Target.OWN_METHOD;
            }
            return scriptNames.contains(method) ? Target.SCRIPT : null;
        }

        private boolean known(String method) {
            if (declared.contains(method) || ownMethods.contains(method) || scriptNames.contains(method)) {
                return true;
            }
            boolean inClosure = false;
            for (Scope s : scopes) {
                if (s.delegate() == Target.MESSAGE && messageNames.contains(method)) {
                    return true;
                }
                if (s.delegate() == Target.BATCH && batchNames.contains(method)) {
                    return true;
                }
                inClosure |= s != scopes.peekLast();
            }
            return inClosure && closureNames.contains(method);
        }

        private List<String> suggestions() {
            List<String> out = new ArrayList<>(MailScript.VERBS);
            for (Scope s : scopes) {
                if (s.delegate() == Target.MESSAGE) {
                    out.addAll(MESSAGE_WORDS);
                }
                if (s.delegate() == Target.BATCH) {
                    out.addAll(List.of("send", "template", "templateHtml"));
                }
            }
            out.addAll(ownMethods);
            return out;
        }

        // -------------------------------------------------------------- calls

        @Override
        public void visitVariableExpression(VariableExpression e) {
            // A bare word: `mail` and `connect` without parentheses are verbs.
            if (!(e.getAccessedVariable() instanceof DynamicVariable) || !judgedSoFar()) {
                return;
            }
            Target t = resolve(e.getName());
            if (t != Target.SCRIPT) {
                return;
            }
            if (e.getName().equals("mail") && certain) {
                facts.add(new Fact(Kind.NO_FROM, e.getLineNumber(), "mail", ""));
            } else if (e.getName().equals("connect")) {
                facts.add(new Fact(Kind.PROFILE, e.getLineNumber(), "connect", ""));
            }
        }

        /** Like {@link #judged()} but ignoring dispatch games: a bare verb is still a verb. */
        private boolean judgedSoFar() {
            for (Scope s : scopes) {
                if (!s.judged()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void visitMethodCallExpression(MethodCallExpression call) {
            String method = call.getMethodAsString();
            List<Expression> args = arguments(call);
            Target target = call.isImplicitThis() && method != null && judgedSoFar() ? resolve(method) : null;
            if (call.isImplicitThis() && method != null && judged() && !known(method)
                    && !"auth".equals(parentCall)) {
                String near = Spelling.nearest(method, suggestions()).orElse(null);
                facts.add(new Fact(Kind.MISTAKE, call.getLineNumber(), method,
                        VerbSpelling.MESSAGE_WORDS.contains(method) ? method + " is a message word: it belongs inside"
                                + " data { } or send { } (data { " + VerbSpelling.of(method) + " })"
                        : "unknown verb '" + method + "'" + (near != null ? " (did you mean '" + near + "'?)" : "")));
            }
            if ("connect".equals(method) && target != Target.SCRIPT) {
                facts.add(new Fact(Kind.SOME_PROFILE, call.getLineNumber(), "connect", ""));
            }
            call.getObjectExpression().visit(this);
            if (target == Target.SCRIPT || target == Target.MESSAGE || target == Target.BATCH) {
                verb(call, method, target, args);
            }
            String was = parentCall;
            parentCall = method;
            try {
                for (Expression a : args) {
                    if (a instanceof ClosureExpression c) {
                        closureArgument(c, method, target);
                    } else {
                        a.visit(this);
                    }
                }
            } finally {
                parentCall = was;
            }
        }

        private void closureArgument(ClosureExpression c, String method, Target target) {
            if (target == Target.SCRIPT && ("data".equals(method) || "send".equals(method))) {
                inClosure(c, new Scope(Target.MESSAGE, true), true);
            } else if (target == Target.BATCH && "send".equals(method)) {
                inClosure(c, new Scope(Target.MESSAGE, true), true);
            } else if (target == Target.SCRIPT && "batch".equals(method)) {
                inClosure(c, new Scope(Target.BATCH, true), true);
            } else if (target == Target.SCRIPT && "expect".equals(method)) {
                inClosure(c, new Scope(null, true), true);
            } else if (method != null && ITERATIONS.contains(method) && target != Target.OWN_METHOD) {
                inClosure(c, new Scope(null, true), false);
            } else {
                c.visit(this);
            }
        }

        private void verb(MethodCallExpression call, String method, Target target, List<Expression> args) {
            int line = call.getLineNumber();
            MapExpression named = !args.isEmpty() && args.get(0) instanceof MapExpression m ? m : null;
            Expression first = null;
            for (Expression a : args) {
                if (a != named) {
                    first = a;
                    break;
                }
            }
            boolean keyed = target == Target.SCRIPT
                    ? Set.of("connect", "auth", "mail", "rcpt", "data", "csv", "batch").contains(method)
                    : target == Target.MESSAGE && Set.of("attach", "inline").contains(method);
            if (keyed && named != null) {
                keys(method, named, line);
            }
            String path = literal(first);
            if (target == Target.SCRIPT) {
                switch (method) {
                    case "csv", "jsonl", "yaml", "file" -> file(method, path, line);
                    case "connect" -> {
                        file("connect: tlsCa", literal(value(named, "tlsCa")), line);
                        profile(named, first, args, line);
                    }
                    case "mail" -> {
                        boolean noFrom = args.isEmpty()
                                || named != null && args.size() == 1 && !mayHave(named, "from");
                        if (certain && noFrom) {
                            facts.add(new Fact(Kind.NO_FROM, line, "mail", ""));
                        }
                    }
                    case "send" -> noSender(args, line, "send");
                    case "expect" -> {
                        if (first instanceof ConstantExpression c && c.getValue() != null) {
                            literalCheck(line, () -> MailScript.Expectation.of(c.getValue(), at(line)));
                        }
                    }
                    case "maxTime" -> {
                        if (path != null) {
                            literalCheck(line, () -> {
                                if (ScriptError.duration(at(line), "maxTime", path).isZero()) {
                                    throw new ScriptError(at(line), "maxTime: the limit must be longer than 0"
                                            + " ('30m', '1h')");
                                }
                            });
                        }
                    }
                    default -> {
                    }
                }
                if (method.equals("connect") && literal(value(named, "tls")) != null) {
                    String tls = literal(value(named, "tls"));
                    literalCheck(line, () -> {
                        try {
                            dev.postilion.smtp.TlsMode.parse(tls);
                        } catch (IllegalArgumentException e) {
                            throw new ScriptError(at(line), "connect: " + e.getMessage());
                        }
                    });
                }
            } else if (target == Target.MESSAGE) {
                if (Set.of("attach", "inline", "template", "templateHtml").contains(method)) {
                    file(method, path, line);
                }
            } else if (target == Target.BATCH) {
                if (Set.of("template", "templateHtml").contains(method)) {
                    file(method, path, line);
                } else if (method.equals("send")) {
                    noSender(args, line, "batch");
                }
            }
        }

        private ScriptLocation at(int line) {
            return new ScriptLocation(name, line);
        }

        /** Runs a verb's own check on a literal argument; what it refuses is a mistake at this line. */
        private void literalCheck(int line, Runnable check) {
            try {
                check.run();
            } catch (ScriptError e) {
                facts.add(new Fact(Kind.MISTAKE, line, "", e.detail()));
            } catch (RuntimeException e) {
                // Not the verb's own refusal: the run will tell.
            }
        }

        private void keys(String verb, MapExpression named, int line) {
            Map<String, Object> literal = new LinkedHashMap<>();
            for (MapEntryExpression e : named.getMapEntryExpressions()) {
                if (!(e.getKeyExpression() instanceof ConstantExpression k) || !(k.getValue() instanceof String s)) {
                    return;
                }
                literal.put(s, null);
            }
            try {
                NamedArgs.check(verb, literal, new ScriptLocation(name, line), KEYS.get(verb).toArray(String[]::new));
            } catch (ScriptError e) {
                facts.add(new Fact(Kind.MISTAKE, line, verb, e.detail()));
            }
        }

        private void file(String verb, String path, int line) {
            if (path != null && certain) {
                facts.add(new Fact(Kind.FILE, line, verb, path));
            }
        }

        /** Which profile a connect takes: named, the default one, none, or one that cannot be told. */
        private void profile(MapExpression named, Expression host, List<Expression> args, int line) {
            int others = args.size() - (named != null ? 1 : 0);
            if (named != null && named.getMapEntryExpressions().stream()
                    .anyMatch(e -> !(e.getKeyExpression() instanceof ConstantExpression))) {
                facts.add(new Fact(Kind.SOME_PROFILE, line, "connect", ""));
                return;
            }
            if (has(named, "profile")) {
                String p = literal(value(named, "profile"));
                facts.add(new Fact(p != null ? Kind.PROFILE : Kind.SOME_PROFILE, line, "connect", p != null ? p : ""));
                return;
            }
            Expression hostValue = others > 0 ? host : value(named, "host");
            if (hostValue == null && others == 0 && !has(named, "host")) {
                facts.add(new Fact(Kind.PROFILE, line, "connect", ""));
            } else if (!(hostValue instanceof ConstantExpression c && c.getValue() instanceof String)
                    && !(hostValue instanceof GStringExpression)) {
                facts.add(new Fact(Kind.SOME_PROFILE, line, "connect", ""));
            } else {
                facts.add(new Fact(Kind.NO_PROFILE, line, "connect", ""));
            }
        }

        /** A {@code send { }} whose block names no sender, and nothing in it could set one. */
        private void noSender(List<Expression> args, int line, String verb) {
            if (!certain || args.size() != 1 || !(args.get(0) instanceof ClosureExpression c)) {
                return;
            }
            boolean[] maybe = {false};
            c.getCode().visit(new CodeVisitorSupport() {
                @Override
                public void visitMethodCallExpression(MethodCallExpression m) {
                    String n = m.getMethodAsString();
                    if (n == null || n.equals("from") || n.equals("with") || n.equals("tap") || n.equals("call")
                            || n.equals("rehydrate") || n.equals("setDelegate") || n.equals("raw")) {
                        maybe[0] = true;
                    }
                    super.visitMethodCallExpression(m);
                }

                @Override
                public void visitVariableExpression(VariableExpression v) {
                    if (v.getName().equals("delegate") || v.getName().equals("from")) {
                        maybe[0] = true;
                    }
                }

                @Override
                public void visitPropertyExpression(PropertyExpression p) {
                    if ("delegate".equals(p.getPropertyAsString()) || "from".equals(p.getPropertyAsString())) {
                        maybe[0] = true;
                    }
                    super.visitPropertyExpression(p);
                }
            });
            if (!maybe[0]) {
                facts.add(new Fact(Kind.NO_FROM, line, verb, ""));
            }
        }

        private static List<Expression> arguments(MethodCallExpression call) {
            Expression a = call.getArguments();
            if (a instanceof ArgumentListExpression l) {
                return l.getExpressions();
            }
            if (a instanceof TupleExpression t) {
                // Named arguments alone: foo(a: 1) is a tuple holding one map.
                return t.getExpressions();
            }
            return List.of(a);
        }

        /** True when the named arguments hold {@code key}, or a key that cannot be read before running. */
        private static boolean mayHave(MapExpression named, String key) {
            return has(named, key) || named.getMapEntryExpressions().stream()
                    .anyMatch(e -> !(e.getKeyExpression() instanceof ConstantExpression));
        }

        private static boolean has(MapExpression named, String key) {
            return value(named, key) != null;
        }

        private static Expression value(MapExpression named, String key) {
            if (named == null) {
                return null;
            }
            for (MapEntryExpression e : named.getMapEntryExpressions()) {
                if (e.getKeyExpression() instanceof ConstantExpression k && key.equals(k.getValue())) {
                    return e.getValueExpression();
                }
            }
            return null;
        }

        private static String literal(Expression e) {
            return e instanceof ConstantExpression c && c.getValue() instanceof String s ? s : null;
        }
    }
}

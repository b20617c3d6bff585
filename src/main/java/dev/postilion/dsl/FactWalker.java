package dev.postilion.dsl;

import dev.postilion.text.Spelling;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.DynamicVariable;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.Parameter;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ElvisOperatorExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.TernaryExpression;
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
import org.codehaus.groovy.syntax.Types;

import dev.postilion.dsl.Fact.Kind;
import dev.postilion.dsl.VerbFacts.Target;

/**
 * Reads a compiled script's code for {@link ScriptFacts}: follows where each call's implicit
 * {@code this} leads (the script, a message block, a batch's block, a method of the script) and
 * whether the call is sure to run, names calls to no known word, and hands each verb call to
 * {@link VerbFacts}. When unsure, it says nothing.
 */
final class FactWalker extends CodeVisitorSupport {

    /** A closure's view: the names its delegate adds, or none; and whether calls in it are judged at all. */
    private record Scope(Target delegate, boolean judged) {
    }

    private final ClassNode script;
    private final List<Fact> facts = new ArrayList<>();
    private final ScriptNames names;
    private final VerbFacts verbs;
    private final Deque<Scope> scopes = new ArrayDeque<>();
    private boolean certain;
    /** The call whose arguments are being visited, for calls nested in {@code auth plain ...}. */
    private String parentCall;

    FactWalker(String name, ClassNode script, ModuleNode module) {
        this.script = script;
        this.names = new ScriptNames(script, module);
        this.verbs = new VerbFacts(name, facts);
    }

    /** The facts of the whole script. */
    List<Fact> walk() {
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
        return !names.dynamic;
    }

    /** Where an implicit-this call to {@code method} goes, or null when that cannot be told. */
    private Target resolve(String method) {
        for (Scope s : scopes) {
            if (!s.judged()) {
                return null;
            }
            if (s.delegate() == Target.MESSAGE && ScriptNames.messageWord(method)) {
                return Target.MESSAGE;
            }
            if (s.delegate() == Target.BATCH && ScriptNames.batchWord(method)) {
                return Target.BATCH;
            }
        }
        if (names.ownMethods.contains(method)) {
            return Target.OWN_METHOD;
        }
        return ScriptNames.scriptWord(method) ? Target.SCRIPT : null;
    }

    private boolean known(String method) {
        if (names.declared.contains(method) || names.ownMethods.contains(method) || ScriptNames.scriptWord(method)) {
            return true;
        }
        boolean inClosure = false;
        for (Scope s : scopes) {
            if (s.delegate() == Target.MESSAGE && ScriptNames.messageWord(method)) {
                return true;
            }
            if (s.delegate() == Target.BATCH && ScriptNames.batchWord(method)) {
                return true;
            }
            inClosure |= s != scopes.peekLast();
        }
        return inClosure && ScriptNames.closureWord(method);
    }

    private List<String> suggestions() {
        List<String> out = new ArrayList<>(MailScript.VERBS);
        for (Scope s : scopes) {
            if (s.delegate() == Target.MESSAGE) {
                out.addAll(ScriptNames.MESSAGE_WORDS);
            }
            if (s.delegate() == Target.BATCH) {
                out.addAll(List.of("send", "template", "templateHtml"));
            }
        }
        out.addAll(names.ownMethods);
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
        List<Expression> args = VerbFacts.arguments(call);
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
            verbs.verb(call, method, target, args, certain);
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
        } else if (method != null && ScriptNames.ITERATIONS.contains(method) && target != Target.OWN_METHOD) {
            inClosure(c, new Scope(null, true), false);
        } else {
            c.visit(this);
        }
    }
}

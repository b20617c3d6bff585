package dev.postilion.dsl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.GStringExpression;
import org.codehaus.groovy.ast.expr.MapEntryExpression;
import org.codehaus.groovy.ast.expr.MapExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;

import dev.postilion.dsl.Fact.Kind;

/**
 * What one call of a verb tells before the script runs, for {@link FactWalker}: named arguments
 * the verb does not take (checked against {@link VerbOptions}), literal values its own checks
 * refuse ({@code expect 'x'}, {@code maxTime '0s'}, {@code tls: 'tsl'}), the literal files it
 * needs, the profile a {@code connect} takes, and messages that name no sender.
 */
final class VerbFacts {

    /** Where a call's implicit {@code this} leads: the message, the batch row, the script, or a method of it. */
    enum Target { MESSAGE, BATCH, SCRIPT, OWN_METHOD }

    private final String name;
    private final List<Fact> facts;
    /** Whether the call being read is sure to run (not inside an if, a loop, a try, after a return). */
    private boolean certain;

    /** Facts of the script {@code name} are added to {@code facts}. */
    VerbFacts(String name, List<Fact> facts) {
        this.name = name;
        this.facts = facts;
    }

    /** The facts of one call of {@code method}, a word of {@code target}; {@code certain} when it is sure to run. */
    void verb(MethodCallExpression call, String method, Target target, List<Expression> args,
            boolean certain) {
        this.certain = certain;
        int line = call.getLineNumber();
        MapExpression named = !args.isEmpty() && args.get(0) instanceof MapExpression m ? m : null;
        Expression first = null;
        for (Expression a : args) {
            if (a != named) {
                first = a;
                break;
            }
        }
        VerbOptions keyed = target == Target.BATCH ? null
                : VerbOptions.of(method, target == Target.MESSAGE);
        if (keyed != null && named != null) {
            keys(keyed, named, line);
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
                        literalCheck(line, () -> Expectation.of(c.getValue(), at(line)));
                    }
                }
                case "maxTime" -> {
                    if (path != null) {
                        literalCheck(line, () -> RunLimit.scriptLimit(path, at(line)));
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

    private void keys(VerbOptions verb, MapExpression named, int line) {
        Map<String, Object> literal = new LinkedHashMap<>();
        for (MapEntryExpression e : named.getMapEntryExpressions()) {
            if (!(e.getKeyExpression() instanceof ConstantExpression k) || !(k.getValue() instanceof String s)) {
                return;
            }
            literal.put(s, null);
        }
        try {
            verb.check(literal, new ScriptLocation(name, line));
        } catch (ScriptError e) {
            facts.add(new Fact(Kind.MISTAKE, line, verb.verb(), e.detail()));
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

    static List<Expression> arguments(MethodCallExpression call) {
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

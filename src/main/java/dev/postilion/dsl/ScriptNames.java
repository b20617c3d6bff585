package dev.postilion.dsl;

import groovy.lang.Closure;
import groovy.lang.GroovySystem;
import groovy.lang.MetaClass;
import groovy.lang.MetaMethod;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.FieldNode;
import org.codehaus.groovy.ast.ImportNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.Parameter;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.ForStatement;
import org.codehaus.groovy.ast.stmt.TryCatchStatement;
import org.codehaus.groovy.syntax.Types;

/**
 * The names a script's calls may reach, for {@link FactWalker}: the words of the script, of a
 * message block and of a batch's block (as Groovy finds them on those classes), and the names the
 * script declares itself (methods, variables, parameters, fields, static imports), with whether it
 * finds its methods in ways no reader can follow ({@code methodMissing}, the meta class, the binding).
 */
final class ScriptNames {

    /** The words of a message block, for suggestions. */
    static final List<String> MESSAGE_WORDS = List.of("from", "to", "cc", "bcc", "replyTo", "subject", "text",
            "html", "header", "attach", "inline", "priority", "messageId", "date", "template", "templateHtml");

    /** Methods whose closure runs with its owner's names (its delegate is left alone). */
    static final Set<String> ITERATIONS = Set.of("each", "eachWithIndex", "reverseEach", "collect",
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

    /** Every name the script declares: variables, parameters, fields, static imports. */
    final Set<String> declared = new HashSet<>();
    /** The methods the script defines. */
    final Set<String> ownMethods = new HashSet<>();
    /** True when the script plays with dispatch, so no call of it is judged. */
    boolean dynamic;

    /** Reads the names {@code script} declares. */
    ScriptNames(ClassNode script, ModuleNode module) {
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
    }

    /** A word of the script (a verb, a helper, or what Groovy gives every script). */
    static boolean scriptWord(String name) {
        return scriptNames.contains(name);
    }

    /** A word of {@code data { }} and {@code send { }}. */
    static boolean messageWord(String name) {
        return messageNames.contains(name);
    }

    /** A word of a batch's block. */
    static boolean batchWord(String name) {
        return batchNames.contains(name);
    }

    /** A method every closure has. */
    static boolean closureWord(String name) {
        return closureNames.contains(name);
    }

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

    /** Every declared name, and whether the script plays with dispatch. */
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
}

package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A run's problems: an author's mistake keeps its kind of exit when it becomes a problem. */
class ProblemTest {

    @ParameterizedTest
    @EnumSource(ScriptError.Kind.class)
    void everyKindOfAuthorMistakeBecomesTheCategoryOfItsName(ScriptError.Kind kind) {
        ScriptError e = new ScriptError(new ScriptLocation("s.groovy", 3), kind, "what went wrong", null);
        Problem p = Problem.of(e);
        assertThat(p.category().name()).isEqualTo(kind.name());
        assertThat(p.smtpKind()).isNull();
        assertThat(p.message()).isEqualTo(e.getMessage()).startsWith("s.groovy:3: ");
        assertThat(p.cause()).isSameAs(e);
    }

    @Test
    void aPlainScriptErrorIsAScriptProblem() {
        assertThat(Problem.of(new ScriptError(new ScriptLocation("s.groovy", 1), "rcpt needs to:")).category())
                .isEqualTo(Problem.Category.SCRIPT);
    }
}

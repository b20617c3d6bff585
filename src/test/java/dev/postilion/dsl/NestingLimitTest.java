package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The nesting limit counts real brackets only: strings and comments never make a script "too deep". */
class NestingLimitTest {

    @Test
    void ahundredLevelsAreAllowedAndOneMoreIsNamedByItsLine() {
        assertThat(NestingLimit.check("x = " + "[".repeat(100) + "]".repeat(100), "s.groovy")).isNull();
        assertThat(NestingLimit.check("log 'a'\nx = " + "(".repeat(101) + ")".repeat(101), "s.groovy"))
                .startsWith("s.groovy:2: script error: nested more than 100 levels deep");
    }

    @Test
    void bracketsInStringsAndCommentsAreNotNesting() {
        String many = "{".repeat(300);
        String script = "// " + many + "\n/* " + many + " */\nlog '" + many + "'\nlog \"" + many + "\"\n"
                + "log '''" + many + "\n" + many + "'''\nlog \"\"\"" + many + "\"\"\"\nlog 'it\\'s " + many + "'\n"
                + "log $/" + many + "/$\n";
        assertThat(NestingLimit.check(script, "s.groovy")).isNull();
    }

    @Test
    void sequentialBlocksDoNotAddUp() {
        String block = "data { subject 'x'; text \"${[1, [2, (3)]]}\" }\n";
        assertThat(NestingLimit.check(block.repeat(500), "s.groovy")).isNull();
    }
}

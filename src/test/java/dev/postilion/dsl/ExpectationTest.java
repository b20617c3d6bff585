package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.postilion.smtp.Reply;
import dev.postilion.smtp.SmtpException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What {@code expect} accepts as the reply it wants, as a table: wanted | reply | matches. */
class ExpectationTest {

    private static final ScriptLocation AT = new ScriptLocation("e.groovy", 4);

    @ParameterizedTest
    @CsvSource(textBlock = """
            550     | 550 5.1.1 No such user | true
            550     | 551 5.1.1 No such user | false
            5.1.1   | 550 5.1.1 No such user | true
            5.1.1   | 550 5.1.2 Bad domain   | false
            5xx     | 554 5.7.1 Relay denied | true
            5xx     | 451 4.3.0 Try later    | false
            """, delimiter = '|')
    void aCodeAnEnhancedCodeOrAClassMatchesTheRepliesItNames(String wanted, String reply, boolean matches) {
        assertThat(Expectation.of(wanted, AT).matches(Reply.parse(reply))).isEqualTo(matches);
    }

    @Test
    void aListMatchesAnyOfItsCodesAndIsDescribedAsAlternatives() {
        Expectation e = Expectation.of(List.of(550, 554), AT);
        assertThat(e.matches(Reply.parse("554 5.7.1 Relay denied"))).isTrue();
        assertThat(e.matches(Reply.parse("250 2.1.5 Ok"))).isFalse();
        assertThat(e.description()).isEqualTo("550 or 554");
    }

    @Test
    void aRegexMatchesTheReplyText() {
        Expectation e = Expectation.of(Pattern.compile("Relay"), AT);
        assertThat(e.matches(Reply.parse("554 5.7.1 Relay access denied"))).isTrue();
        assertThat(e.description()).isEqualTo("/Relay/");
    }

    @Test
    void aReplyThatDoesNotMatchFailsAtTheScriptLineAndCountsAsChecked() {
        Expectation e = Expectation.of(550, AT);
        assertThatThrownBy(() -> e.check(AT, "RCPT TO:<b@y>", Reply.parse("451 4.3.0 Try later"), "mx.test:25"))
                .isInstanceOfSatisfying(ScriptFailure.class, f -> {
                    assertThat(f.kind()).isEqualTo(SmtpException.Kind.TEMPORARY);
                    assertThat(f.getMessage()).startsWith("e.groovy:4: RCPT TO:<b@y> got 451, expected 550\n");
                });
        assertThat(e.checked()).isEqualTo(1);
    }

    @Test
    void anythingElseIsTheAuthorsMistakeNamingTheFormsExpectTakes() {
        assertThatThrownBy(() -> Expectation.of("often", AT)).isInstanceOf(ScriptError.class)
                .hasMessage("e.groovy:4: script error: expect takes a code (550), a list ([550, 554]), an enhanced"
                        + " code ('5.1.1'), a class ('5xx') or a regex (~/text/), not 'often'");
        assertThatThrownBy(() -> Expectation.of(List.of(), AT)).isInstanceOf(ScriptError.class)
                .hasMessageContaining("expect needs at least one code in its list");
    }
}

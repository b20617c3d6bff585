package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each verb's named arguments have one list, found by the word and the block it is written in. */
class VerbOptionsTest {

    @Test
    void aMessageWordsOptionsAreFoundOnlyInsideAMessageBlock() {
        assertThat(VerbOptions.of("attach", true)).isEqualTo(VerbOptions.ATTACH);
        assertThat(VerbOptions.of("attach", false)).isNull();
        assertThat(VerbOptions.of("mail", false)).isEqualTo(VerbOptions.MAIL);
        assertThat(VerbOptions.of("mail", true)).isNull();
        assertThat(VerbOptions.of("quit", false)).as("a verb with no named arguments").isNull();
    }

    @Test
    void anUnknownKeyIsRefusedWithTheNearestAndEveryAllowedKey() {
        ScriptLocation at = new ScriptLocation("o.groovy", 2);
        assertThatThrownBy(() -> VerbOptions.RCPT.check(Map.of("notfy", "NEVER"), at)).isInstanceOf(ScriptError.class)
                .hasMessage("o.groovy:2: script error: rcpt: unknown option 'notfy' (did you mean 'notify'?);"
                        + " allowed: to, notify, orcpt");
        assertThat(VerbOptions.RCPT.check(Map.of("to", "b@example.com"), at).string("to")).isEqualTo("b@example.com");
    }
}

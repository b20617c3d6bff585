package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Map<String, Object> m = Json.parseObject(" {\"s\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\", \"i\": -12,"
                + " \"d\": 1.5e2, \"t\": true, \"f\": false, \"n\": null, \"a\": [1, [], {}], \"o\": {\"x\": \"y\"}} ");
        assertThat(m).containsEntry("s", "a\"b\\c/d\né😀").containsEntry("i", -12L)
                .containsEntry("d", new BigDecimal("1.5e2")).containsEntry("t", true).containsEntry("f", false)
                .containsEntry("n", null).containsEntry("a", List.of(1L, List.of(), Map.of()))
                .containsEntry("o", Map.of("x", "y"));
        assertThat(m.keySet()).containsExactly("s", "i", "d", "t", "f", "n", "a", "o");
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            [1]                 | column 1: expected a JSON object ({...}), found '['
            {"a":1,}            | column 8: expected a key in double quotes, found '}'
            {"a" 1}             | column 6: expected ':', found '1'
            {"a":01}            | column 7: expected ',' or '}', found '1'
            {"a":tru}           | column 6: expected a value, found 't'
            {"a":"x}            | column 9: expected the closing '"', found the end of the line
            {"a":1} x           | column 9: expected the end of the line, found 'x'
            {"a":"\\q"}         | column 8: expected a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found 'q'
            {"a":1,"a":2}       | key "a" appears twice
            {"a":-}             | column 7: expected a digit, found '}'
            """, delimiter = '|')
    void refusesWhatIsNotStrictJson(String text, String message) {
        assertThatThrownBy(() -> Json.parseObject(text)).isInstanceOf(Json.JsonException.class).hasMessage(message);
    }

    @Test
    void rawControlCharactersInStringsAreRefused() {
        assertThatThrownBy(() -> Json.parseObject("{\"a\":\"x\ty\"}"))
                .hasMessage("column 8: expected no raw control character inside a string (write it as \\u0009),"
                        + " found '\\u0009'");
    }

    @Test
    void deepNestingIsRefusedBeforeTheStackRunsOut() {
        String deep = "{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        assertThatThrownBy(() -> Json.parseObject(deep)).hasMessage("nested deeper than 32 levels");
    }

    @Test
    void writesOneLineThatReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "line1\r\nline2\t\"q\" \\ \u2028 \u0001");
        m.put("n", 5L);
        m.put("list", List.of("a", 2L, true));
        m.put("none", null);
        String line = Json.line(m);
        assertThat(line).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u2028");
        assertThat(Json.parseObject(line)).isEqualTo(m);
    }

    @Test
    void everyCharacterThatNeedsAnEscapeGetsOneWhereverItStands() {
        for (String special : List.of("\"", "\\", "\n", "\r", "\t", "\u0000", "\u001f", "\u007f", "\u2028", "\u2029")) {
            for (String text : List.of(special, "plain" + special, special + "plain", "a" + special + "b" + special)) {
                String line = Json.line(Map.of("t", text));
                if (special.equals("\"") || special.equals("\\")) {
                    assertThat(line).contains("\\" + special);
                } else {
                    assertThat(line).as("%s", line).doesNotContain(special);
                }
                assertThat(Json.parseObject(line)).isEqualTo(Map.of("t", text));
            }
        }
        assertThat(Json.line(Map.of("t", "no escape at all"))).isEqualTo("{\"t\":\"no escape at all\"}");
    }
}

package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

    /** Jackson reads the JSON; its complaints are worded as the hand-written parser worded them. */
    @ParameterizedTest
    @CsvSource(textBlock = """
            ''                  | column 1: expected a JSON object ({...}), found the end of the line
            '  x'               | column 3: expected a JSON object ({...}), found 'x'
            2}                  | column 1: expected a JSON object ({...}), found '2'
            {                   | column 2: expected a key in double quotes, found the end of the line
            {"a"                | column 5: expected ':', found the end of the line
            {"a" \u0001:1}      | column 6: expected ':', found '\\u0001'
            {"a":               | column 6: expected a value, found the end of the line
            {"a":1,             | column 8: expected a key in double quotes, found the end of the line
            {"a":1}}            | column 8: expected the end of the line, found '}'
            {}-a                | column 3: expected the end of the line, found '-'
            {"a":1.}            | column 8: expected a digit after '.', found '}'
            {"a":1e+}           | column 9: expected a digit in the exponent, found '}'
            {"a":-E.5}          | column 7: expected a digit, found 'E'
            {"a":1.5.3}         | column 9: expected ',' or '}', found '.'
            {"a":+1}            | column 6: expected a value, found '+'
            {"a":NaN}           | column 6: expected a value, found 'N'
            {"a":/*c*/1}        | column 6: expected a value, found '/'
            {"a":[1 2]}         | column 9: expected ',' or ']', found '2'
            {"a":[1}            | column 8: expected ',' or ']', found '}'
            {"a":truex}         | column 10: expected ',' or '}', found 'x'
            {"a":"\\u12g4"}     | column 9: expected four hex digits after \\u, found '1'
            {"a":"\\           | column 8: expected an escape after '\\', found the end of the line
            """, delimiter = '|')
    void refusalsAreWordedAsBeforeJackson(String text, String message) {
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

    /** The bytes the hand-written writer made before Jackson, for every ASCII character and the separators. */
    @Test
    void writerEscapesDelAndLineSeparatorsAsBefore() {
        StringBuilder ascii = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            ascii.append(c);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("t", ascii + "\u0080\u00e9\u2027\u2028\u2029\u202a\ud83d\ude00");
        m.put("k\u2028\u007f\"", Arrays.asList(1L, -2, (short) 3, new BigDecimal("1.5e2"), 2.5d, 1e10d, 0.1f, Double.NaN,
                new BigInteger("123456789012345678901"), true, null));
        String before = "{\"t\":\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\u0008\\t\\n"
                + "\\u000b\\u000c\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016"
                + "\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f !\\\"#$%&'()*+,-./01"
                + "23456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
                + "\\u007f\u0080\u00e9\u2027\\u2028\\u2029\u202a\ud83d\ude00\",\"k\\u2028\\u007f\\\"\":"
                + "[1,-2,3,1.5E+2,2.5,1.0E10,0.1,null,123456789012345678901,true,null]}";
        assertThat(Json.line(m).getBytes(StandardCharsets.UTF_8)).isEqualTo(before.getBytes(StandardCharsets.UTF_8));
        assertThat(Json.write(new StringBuilder("x="), List.of("a\u2029")).toString()).isEqualTo("x=[\"a\\u2029\"]");
    }

    @Test
    void aFieldWrittenAloneIsByteForByteWhatTheGeneratorWrites() {
        // Json.write writes plain scalars itself (one per journal field) and everything else through
        // Jackson; inside a list every value goes through Jackson. Both must give the same bytes.
        List<Object> values = Arrays.asList(null, 0L, -5L, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MIN_VALUE, 42,
                (short) 7, true, false, "", "plain ascii <a@example.com> 250 2.0.0 Ok", " ~!#$%&'()*+,-./:;<=>?@[]^_`{|}",
                "a\"b", "a\\b", "\u00e9", "\u007f", "\u001f", "\t", "\u2028", List.of(), List.of("a@example.com"),
                List.of("a@example.com", "b@example.com"), List.of("a@example.com", "\u00e9@example.com"),
                Arrays.asList("a", null));
        for (Object v : values) {
            String viaGenerator = Json.write(new StringBuilder(), Arrays.asList(v)).toString();
            assertThat(Json.write(new StringBuilder(), v).toString()).as(String.valueOf(v))
                    .isEqualTo(viaGenerator.substring(1, viaGenerator.length() - 1));
        }
    }
}

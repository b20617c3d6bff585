package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Row keys and cells digests: what a journal has written must read the same to every later run. */
class RowKeyTest {

    @Test
    void keysAndCellsDigestsAreTheOnesJournalsAlreadyHold() {
        // Written by a run before the per-row work was made cheaper (journal line of row 1).
        assertThat(RowKey.hex(RowKey.ofRecipients(List.of("reader1@example.com")))).isEqualTo("0b4485a65e05b07f");
        assertThat(RowKey.hex(RowKey.ofRecipients(List.of(" reader1@EXAMPLE.com\t"))))
                .isEqualTo("0b4485a65e05b07f");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("email", "reader1@example.com");
        row.put("name", "Reader 1");
        assertThat(Integer.toHexString(RowKey.cells(row))).isEqualTo("c55363a3");
    }

    @Test
    void oneRecipientKeysAsTheSameRecipientAmongDuplicates() {
        assertThat(RowKey.ofRecipients(List.of("a@X.org"))).isEqualTo(RowKey.ofRecipients(List.of("a@x.org", "a@x.ORG")));
        assertThat(RowKey.ofRecipients(List.of("no-domain"))).isEqualTo(RowKey.ofRecipients(List.of("no-domain ", " no-domain")));
        assertThat(RowKey.ofRecipients(List.of())).isNull();
    }

    @Test
    void cellsDigestIsStringHashOfTheCellsWithWhiteSpaceRunsMadeOneSpace() {
        Pattern spaces = Pattern.compile("\\s+");
        List<Object> values = java.util.Arrays.asList("plain", "  two   spaces\tand\r\ntabs  ", "\u2003em\u2003space\u2003",
                "nbsp\u00a0kept", "\u000b\fvt ff\u000b", "", " ", null, 42, "é ü 漢字");
        for (Object a : values) {
            for (Object b : values) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("email", a);
                row.put("name x", b);
                StringBuilder sb = new StringBuilder();
                row.forEach((k, v) -> sb.append(k).append('=').append(v == null ? ""
                        : spaces.matcher(v.toString().strip()).replaceAll(" ")).append('\u0000'));
                int c = sb.toString().hashCode() * 0x9E3779B9;
                c ^= c >>> 16;
                assertThat(RowKey.cells(row)).as("%s / %s", a, b).isEqualTo(c == 0 ? 1 : c);
            }
        }
    }

    @Test
    void hexIsAlwaysSixteenLowerCaseDigits() {
        assertThat(RowKey.hex(0L)).isEqualTo("0000000000000000");
        assertThat(RowKey.hex(0xabcL)).isEqualTo("0000000000000abc");
        assertThat(RowKey.hex(-1L)).isEqualTo("ffffffffffffffff");
        assertThat(RowKey.hex(0x1fedcba987654321L)).isEqualTo("1fedcba987654321");
        assertThat(RowKey.parse(RowKey.hex(0x1fedcba987654321L))).isEqualTo(0x1fedcba987654321L);
        assertThat(RowKey.hex(0xffffffff9abcdef0L & 0xffffffffL, 8)).isEqualTo("9abcdef0");
    }
}

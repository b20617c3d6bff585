package dev.postilion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress bar's width: {@code $COLUMNS} first; a value that is not a width is ignored. */
class TerminalTest {

    @Test
    void theColumnsVariableGivesTheWidth() {
        assertThat(Terminal.columns(Map.of("COLUMNS", "132"))).isEqualTo(132);
    }

    @Test
    void aColumnsValueThatIsNotAWidthIsIgnored() {
        assertThat(Terminal.columns(Map.of("COLUMNS", "wide"))).isPositive().isNotEqualTo(0);
        assertThat(Terminal.columns(Map.of("COLUMNS", "0"))).isPositive();
    }
}

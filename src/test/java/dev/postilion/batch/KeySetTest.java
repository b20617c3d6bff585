package dev.postilion.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The compact set behind keyed resume: a million keys in at most 32 bytes each. */
class KeySetTest {

    @Test
    void aMillionKeysTakeAtMost32BytesEachAndAreAllFound() throws Exception {
        KeySet set = new KeySet();
        for (int i = 0; i < 1_000_000; i++) {
            set.add(RowKey.ofRecipients(List.of("r" + i + "@example.com")), i % 2 == 0 ? KeySet.DONE : 0);
        }
        assertThat(set.size()).isEqualTo(1_000_000);
        java.lang.reflect.Field f = KeySet.class.getDeclaredField("table");
        f.setAccessible(true);
        long bytes = 12L * ((long[]) f.get(set)).length;  // a long key and an int cells digest per slot
        assertThat(bytes / 1_000_000.0).as("bytes of heap per key").isLessThanOrEqualTo(32.0);
        for (int i = 0; i < 1_000_000; i += 997) {
            long flags = set.flags(RowKey.ofRecipients(List.of("r" + i + "@example.com")));
            assertThat(flags).isEqualTo(i % 2 == 0 ? KeySet.DONE : 0);
        }
        assertThat(set.contains(RowKey.ofRecipients(List.of("nobody@example.com")))).isFalse();
        assertThat(set.count(KeySet.DONE)).isEqualTo(500_000);
    }

    @Test
    void flagsAreSetAndClearedWithoutLosingKeys() {
        KeySet set = new KeySet();
        set.add(5, 0);
        assertThat(set.add(5, KeySet.SEEN)).isFalse();
        assertThat(set.flags(5)).isEqualTo(KeySet.SEEN);
        set.clear(KeySet.SEEN);
        assertThat(set.flags(5)).isZero();
        assertThat(set.flags(6)).isEqualTo(-1);
    }

    @Test
    void aRecipientsKeyIgnoresOrderDuplicatesAndTheDomainsCase() {
        assertThat(RowKey.ofRecipients(List.of("b@Y.org", "a@x.ORG", "a@x.org")))
                .isEqualTo(RowKey.ofRecipients(List.of("a@x.org", "b@y.org")));
        assertThat(RowKey.ofRecipients(List.of("A@x.org"))).as("the local part keeps its case")
                .isNotEqualTo(RowKey.ofRecipients(List.of("a@x.org")));
        assertThat(RowKey.ofValue("  INV-1 ")).isEqualTo(RowKey.ofValue("INV-1"));
        assertThat(RowKey.ofValue(" ")).isNull();
    }
}

package dev.postilion.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.error.YAMLException;

class SafeYamlTest {

    private static Object load(String text) {
        return SafeYaml.yaml(SafeYaml.loaderOptions(1024, 5, 3)).load(text);
    }

    @Test
    void plainMapsAndListsAreRead() {
        assertThat(load("a: [1, two]\n")).isEqualTo(Map.of("a", java.util.List.of(1, "two")));
    }

    @Test
    void aDuplicateKeyIsRefused() {
        assertThatThrownBy(() -> load("a: 1\na: 2\n")).isInstanceOf(YAMLException.class).hasMessageContaining("duplicate");
    }

    @Test
    void aJavaTagBuildsNoObject() {
        assertThatThrownBy(() -> load("!!java.io.File [/etc/passwd]\n")).isInstanceOf(YAMLException.class);
    }

    @Test
    void aliasesNestingAndSizeAreBounded() {
        assertThatThrownBy(() -> load("a: &x [1]\nb: [*x, *x, *x, *x]\n")).isInstanceOf(YAMLException.class)
                .hasMessageContaining("aliases");
        assertThatThrownBy(() -> load("a: [[[[[[[1]]]]]]]\n")).isInstanceOf(YAMLException.class)
                .hasMessageContaining("Nesting Depth");
        assertThatThrownBy(() -> load("a: " + "x".repeat(2000) + "\n")).isInstanceOf(YAMLException.class)
                .hasMessageContaining("code points");
    }
}

package dev.postilion.profile;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The one way Postilion reads YAML it did not write (profiles files, YAML row sources): plain
 * types only, duplicate and recursive keys refused, aliases, nesting and size bounded.
 */
public final class SafeYaml {

    private SafeYaml() {
    }

    /**
     * Loader options with duplicate and recursive keys refused and these bounds: {@code maxCodePoints}
     * of text, {@code maxDepth} levels of nesting, {@code maxAliases} aliases (against alias bombs).
     */
    public static LoaderOptions loaderOptions(int maxCodePoints, int maxDepth, int maxAliases) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(maxAliases);
        options.setNestingDepthLimit(maxDepth);
        options.setCodePointLimit(maxCodePoints);
        return options;
    }

    /** A loader that builds only plain maps, lists and scalars (no Java objects from tags). */
    public static Yaml yaml(LoaderOptions options) {
        return new Yaml(new SafeConstructor(options));
    }
}

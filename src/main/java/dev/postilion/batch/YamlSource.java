package dev.postilion.batch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.postilion.profile.SafeYaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A YAML file holding a list of mappings. SnakeYAML's safe loader builds only maps, lists and
 * scalars (no tags, no classes); aliases, nesting and size are limited. The list is loaded whole.
 */
record YamlSource(Path file) implements RowSource {

    static final int MAX_CODE_POINTS = 64 * 1024 * 1024;

    @Override
    public RowReader open() throws IOException {
        SourceFiles.Opened opened = SourceFiles.open(file);
        var options = SafeYaml.loaderOptions(MAX_CODE_POINTS, Json.MAX_DEPTH, 50);
        Object doc;
        try (java.io.Reader in = opened.reader()) {
            doc = SafeYaml.yaml(options).load(in);
        } catch (MarkedYAMLException e) {
            throw SourceFiles.problem(file, "not valid YAML: " + e.getProblem() + " (line "
                    + (e.getProblemMark() == null ? "?" : e.getProblemMark().getLine() + 1) + ")", null);
        } catch (YAMLException e) {
            if (e.getCause() instanceof IOException io) {
                throw SourceFiles.readFailure(file, null, io);
            }
            if (String.valueOf(e.getMessage()).contains("exceeds the limit")) {
                throw new SourceException(file + " is larger than the " + (MAX_CODE_POINTS >> 20) + " Mi character limit for YAML"
                        + " sources (read whole);"
                        + " CSV and JSON Lines are streamed: use one of them for long lists", null);
            }
            throw SourceFiles.problem(file, "not valid YAML: " + e.getMessage(), null);
        }
        if (doc == null) {
            doc = List.of();
        }
        if (!(doc instanceof List<?> list)) {
            throw SourceFiles.problem(file, "a YAML source must be a list of mappings (\"- email: a@example.com\"),"
                    + " not a " + (doc instanceof Map ? "mapping" : "single value"), null);
        }
        return IterableSource.reader(list.iterator(), list.size());
    }
}

package dev.postilion.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A report or journal file (JSON Lines) as maps, for tests outside this package. */
public final class ReportLines {

    private ReportLines() {
    }

    /** Every line of the file, parsed; numbers are {@code Long}s. */
    public static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lines.add(Json.parseObject(line));
        }
        return lines;
    }
}

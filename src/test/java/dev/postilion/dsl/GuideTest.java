package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the user guide under {@code src/site/markdown/}: the DSL page names every verb,
 * message word and batch option the code knows, every link lands on a file (and heading) of the
 * repository, and the README stays a short front page.
 */
class GuideTest {

    private static final Path README = Path.of("README.md");
    private static final Path GUIDE = Path.of("src", "site", "markdown");
    /** A Markdown link or image: {@code [text](target)}. */
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*]\\(([^)\\s]*)[^)]*\\)");
    private static final Pattern CODE_SPAN = Pattern.compile("`+[^`]*`+");

    private static String read(Path file) throws IOException {
        return Files.readString(file);
    }

    private static List<Path> documents() throws IOException {
        List<Path> all = new ArrayList<>(List.of(README));
        try (Stream<Path> pages = Files.list(GUIDE)) {
            pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(all::add);
        }
        return all;
    }

    /** The words of {@code names} that dsl.md never writes as code ({@code `name} followed by a non-word). */
    private static List<String> notInTheDslPage(Collection<String> names) throws IOException {
        String page = read(GUIDE.resolve("dsl.md"));
        return names.stream()
                .filter(n -> !Pattern.compile("`" + Pattern.quote(n) + "(?![A-Za-z0-9_])").matcher(page).find())
                .toList();
    }

    @Test
    void everyVerbOfTheDslIsOnTheDslPage() throws IOException {
        assertThat(MailScript.VERBS).contains("connect", "batch", "maxTime");
        assertThat(notInTheDslPage(MailScript.VERBS)).as("verbs missing from dsl.md").isEmpty();
    }

    @Test
    void everyMessageWordIsOnTheDslPage() throws IOException {
        assertThat(VerbSpelling.MESSAGE_WORDS).contains("subject", "attach");
        assertThat(notInTheDslPage(VerbSpelling.MESSAGE_WORDS)).as("message words missing from dsl.md").isEmpty();
    }

    @Test
    void everyBatchOptionIsOnTheDslPage() throws IOException {
        assertThat(VerbOptions.BATCH.keys()).contains("concurrency", "journal");
        assertThat(notInTheDslPage(VerbOptions.BATCH.keys())).as("batch options missing from dsl.md").isEmpty();
    }

    /** Every link target outside code, as written. */
    private static List<String> links(String markdown) {
        List<String> targets = new ArrayList<>();
        boolean fence = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("```")) {
                fence = !fence;
                continue;
            }
            if (fence) {
                continue;
            }
            Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return targets;
    }

    /** The anchors GitHub makes for a page's headings: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new HashSet<>();
        boolean fence = false;
        for (String line : read(page).split("\n", -1)) {
            if (line.startsWith("```")) {
                fence = !fence;
            } else if (!fence && line.matches("#{1,6} .*")) {
                String heading = line.replaceFirst("#+ ", "").toLowerCase(Locale.ROOT);
                anchors.add(heading.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    @Test
    void everyLinkLandsOnAFileAndHeadingOfTheRepository() throws IOException {
        List<String> broken = new ArrayList<>();
        int seen = 0;
        for (Path doc : documents()) {
            for (String target : links(read(doc))) {
                seen++;
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                if (target.contains(":") || target.startsWith("/")) {
                    broken.add(doc + ": " + target + " (points outside the repository)");
                    continue;
                }
                Path landing = file.isEmpty() ? doc : doc.resolveSibling(file).normalize();
                if (!Files.isRegularFile(landing)) {
                    broken.add(doc + ": " + target + " (no such file)");
                } else if (anchor != null && landing.toString().endsWith(".md") && !anchors(landing).contains(anchor)) {
                    broken.add(doc + ": " + target + " (no such heading in " + landing + ")");
                }
            }
        }
        assertThat(seen).as("links found").isGreaterThan(50);
        assertThat(broken).isEmpty();
    }

    @Test
    void noDocumentNamesAPathAboveTheClone() throws IOException {
        // A clone has nothing above its own folder: ../ in a link, or in a path shown as text, is a dead end.
        for (Path doc : documents()) {
            assertThat(read(doc)).as(doc.toString()).doesNotContain("../");
        }
    }

    @Test
    void theReadmeIsAtMostTwelveKibibytes() throws IOException {
        assertThat(Files.size(README)).isLessThanOrEqualTo(12 * 1024);
    }

    @Test
    void theReadmeOpensWithTheTwoCommandsOfAFreshMachine() throws IOException {
        String readme = read(README);
        String firstBlock = readme.substring(readme.indexOf("```sh\n") + 6, readme.indexOf("\n```", readme.indexOf("```sh\n")));
        assertThat(firstBlock.lines().map(l -> l.replaceFirst("\\s+#.*", "")).toList())
                .containsExactly("scripts/postilion run --local samples/exchange-2003.groovy", "mvn -B verify");
    }

    @Test
    void everyGuidePageIsInTheTableOfContents() throws IOException {
        List<String> listed = links(read(GUIDE.resolve("index.md")));
        try (Stream<Path> pages = Files.list(GUIDE)) {
            List<String> unlisted = pages.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".md") && !n.equals("index.md") && !listed.contains(n)).toList();
            assertThat(unlisted).isEmpty();
        }
    }

    @Test
    void theReadmeLinksEveryGuidePage() throws IOException {
        List<String> linked = links(read(README));
        try (Stream<Path> pages = Files.list(GUIDE)) {
            List<String> unlinked = pages.map(p -> "src/site/markdown/" + p.getFileName())
                    .filter(n -> n.endsWith(".md") && linked.stream().noneMatch(l -> l.startsWith(n))).toList();
            assertThat(unlinked).isEmpty();
        }
    }
}

package dev.postilion.dsl;

import dev.postilion.message.MessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TemplatesTest {

    @TempDir
    Path dir;

    private Path template(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void rowFieldsAreVariables() throws IOException {
        Path t = template("welcome.txt", """
                Dear ${name},
                your plan is $plan.
                <% if (credits > 10) { %>You have <%= credits %> credits.<% } %>
                """);
        assertThat(Templates.render(t, Map.of("name", "Zoë", "plan", "gold", "credits", 12)))
                .isEqualTo("Dear Zoë,\nyour plan is gold.\nYou have 12 credits.\n");
    }

    @Test
    void missingVariableNamesTemplateLineAndVariable() throws IOException {
        Path t = template("welcome.txt", "Dear ${name},\n\nyour plan is ${plan}.\n");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", "Ann");
        row.put("city", "Oslo");
        MessageException e = catchThrowableOfType(MessageException.class, () -> Templates.render(t, row));
        assertThat(e.getMessage()).isEqualTo("template '" + t + "' line 3: missing variable 'plan' (variables: name, city)");
        assertThat(e.kind()).isEqualTo(MessageException.Kind.BAD_DATA);
    }

    @Test
    void lineIsRightAfterCodeBlocksAndMultiLineExpressions() throws IOException {
        Path t = template("lines.txt", """
                <% def greeting = 'Hi' %>
                ${greeting} ${
                  name
                }
                <%
                  def x = 1
                %>
                <%= x +
                    1 %>
                now ${missing}
                """);
        assertThatThrownBy(() -> Templates.render(t, Map.of("name", "n")))
                .hasMessage("template '" + t + "' line 10: missing variable 'missing' (variables: name)");
    }

    @Test
    void missingVariableInsideALoopIsFoundToo() throws IOException {
        Path t = template("loop.txt", "Items:\n<% items.each { item -> %>- ${item} ${price}\n<% } %>");
        assertThatThrownBy(() -> Templates.render(t, Map.of("items", List.of("a", "b"))))
                .hasMessage("template '" + t + "' line 2: missing variable 'price' (variables: items)");
    }

    @Test
    void missingPropertyOnAValueIsNamed() throws IOException {
        Path t = template("prop.txt", "x\n${count.nope}\n");
        assertThatThrownBy(() -> Templates.render(t, Map.of("count", 3)))
                .hasMessage("template '" + t + "' line 2: no property 'nope' on Integer");
    }

    @Test
    void nullValueIsNotMissing() throws IOException {
        Path t = template("null.txt", "[${v}]");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("v", null);
        assertThat(Templates.render(t, row)).isEqualTo("[null]");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "${System.exit(1)}",
        "<% System.exit(1) %>",
        "<% println 'x' %>",
        "<%= 6 * 7 %>",
        "$name",
        "${name}",
        "\"\"\"); System.exit(1); out.print(\"\"\"",
        "\\${escaped}",
    })
    void dataNeverRunsAsCode(String hostile) throws IOException {
        Path t = template("data.txt", "before ${value} after $value <%= value %>");
        assertThat(Templates.render(t, Map.of("value", hostile, "name", "SHOULD-NOT-APPEAR")))
                .isEqualTo("before " + hostile + " after " + hostile + " " + hostile);
    }

    @Test
    void htmlVariantEscapesValues() throws IOException {
        Path t = template("welcome.html", "<p>Hi ${name}</p><a title='${title}'>${user.bio}</a><% tags.each { %>[${it}]<% } %>");
        String html = Templates.renderHtml(t, Map.of(
                "name", "<script>alert(1)</script>",
                "title", "it's \"quoted\" & more",
                "user", Map.of("bio", "<b>bold</b>"),
                "tags", List.of("<i>", "ok")));
        assertThat(html).isEqualTo("<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>"
                + "<a title='it&#39;s &quot;quoted&quot; &amp; more'>&lt;b&gt;bold&lt;/b&gt;</a>[&lt;i&gt;][ok]");
    }

    @Test
    void aCompileErrorNamesTheLine() throws IOException {
        Path t = template("broken.txt", "line one\nline two\n<% if (x { %>\n");
        MessageException e = catchThrowableOfType(MessageException.class, () -> Templates.render(t, Map.of("x", 1)));
        assertThat(e.getMessage()).isEqualTo("template '" + t + "' line 3: does not compile: Unexpected input: '{'");
        assertThat(e.kind()).isEqualTo(MessageException.Kind.BAD_DATA);
    }

    @Test
    void aRuntimeErrorNamesTheLine() throws IOException {
        Path t = template("boom.txt", "ok\n${n / 0}\n");
        assertThatThrownBy(() -> Templates.render(t, Map.of("n", 1)))
                .hasMessage("template '" + t + "' line 2: template error: ArithmeticException: Division by zero");
    }

    @Test
    void missingTemplateIsNoInput() {
        Path missing = dir.resolve("nope.txt");
        MessageException e = catchThrowableOfType(MessageException.class, () -> Templates.render(missing, Map.of()));
        assertThat(e.getMessage()).isEqualTo("template '" + missing + "': no such file");
        assertThat(e.kind()).isEqualTo(MessageException.Kind.MISSING_INPUT);
    }

    @Test
    void templateThatIsADeviceOrTooLargeIsRefusedUnread() throws IOException {
        MessageException device = catchThrowableOfType(MessageException.class,
                () -> Templates.render(Path.of("/dev/zero"), Map.of()));
        assertThat(device.getMessage()).isEqualTo("template '/dev/zero': /dev/zero is a device, not a file (devices"
                + " such as /dev/zero are refused; only /dev/stdin is read)");
        assertThat(device.kind()).isEqualTo(MessageException.Kind.MISSING_INPUT);
        Path big = dir.resolve("big.txt");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(17 << 20);
        }
        MessageException large = catchThrowableOfType(MessageException.class, () -> Templates.render(big, Map.of()));
        assertThat(large.getMessage()).isEqualTo("template '" + big + "': is larger than the 16 MiB limit for templates");
        assertThat(large.kind()).isEqualTo(MessageException.Kind.BAD_DATA);
    }

    @Test
    void theCallersMapIsNotChangedAndMayBeReadOnly() throws IOException {
        Path t = template("ro.txt", "${a}");
        Map<String, Object> row = new LinkedHashMap<>(Map.of("a", "1"));
        assertThat(Templates.render(t, row)).isEqualTo("1");
        assertThat(row).containsOnlyKeys("a");
        assertThat(Templates.render(t, Map.of("a", "2"))).isEqualTo("2");
    }

    @Test
    void compiledTemplatesAreCachedAndAChangedFileIsRecompiled() throws IOException {
        Path t = template("cached.txt", "v1 ${x}");
        int before = Templates.compilations();
        for (int i = 0; i < 500; i++) {
            assertThat(Templates.render(t, Map.of("x", i))).isEqualTo("v1 " + i);
        }
        assertThat(Templates.compilations() - before).isEqualTo(1);
        Files.writeString(t, "version 2 ${x}");
        Files.setLastModifiedTime(t, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(Templates.render(t, Map.of("x", 1))).isEqualTo("version 2 1");
        assertThat(Templates.compilations() - before).isEqualTo(2);
    }

    @Test
    void lineMapFollowsTheEngine() {
        assertThat(Templates.lineMap("a\nb\nc")).containsExactly(1, 1, 2, 3);
        // a <% %> block adds a script line after itself
        assertThat(Templates.lineMap("<% x %>\nb")).containsExactly(1, 1, 1, 2);
        // newlines inside ${ } are dropped
        assertThat(Templates.lineMap("${\n}\nc")).containsExactly(1, 1, 3);
        assertThat(Templates.lineMap("a\r\nb\rc")).containsExactly(1, 1, 2, 3);
    }

    @Test
    void eachTextLineBecomesItsOwnStatement() {
        assertThat(Templates.oneStatementPerLine("a\nb ${x\n}\n<% if (y) {\n} %>\nc"))
                .isEqualTo("a\n<%%>b ${x\n}\n<%%><% if (y) {\n} %>\n<%%>c");
        assertThat(Templates.lineMap(Templates.oneStatementPerLine("a\nb\nc"))).containsExactly(1, 1, 2, 2, 3, 3);
    }
}

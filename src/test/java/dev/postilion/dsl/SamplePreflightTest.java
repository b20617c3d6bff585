package dev.postilion.dsl;

import static org.assertj.core.api.Assertions.assertThat;

import groovy.lang.GroovyClassLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.tools.GroovyClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The preflight reads the shipped samples, real scripts, without a single complaint. */
class SamplePreflightTest {

    static Stream<Path> samples() throws IOException {
        return Files.list(Path.of("samples")).filter(p -> p.toString().endsWith(".groovy")).sorted();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void theSamplesHaveNoMistakesAndEveryLiteralFileTheyNeedIsThere(Path sample) throws Exception {
        CompilerConfiguration config = new CompilerConfiguration();
        config.setScriptBaseClass(MailScript.class.getName());
        config.addCompilationCustomizers(new ScriptFacts.Collector());
        try (GroovyClassLoader gcl = new GroovyClassLoader(getClass().getClassLoader(), config)) {
            CompilationUnit unit = new CompilationUnit(config, null, gcl);
            unit.addSource(sample.getFileName().toString(), Files.readString(sample));
            unit.compile(Phases.CLASS_GENERATION);
            String main = unit.getFirstClassNode().getName();
            Class<?> cls = null;
            for (GroovyClass c : unit.getClasses()) {
                Class<?> defined = gcl.defineClass(c.getName(), c.getBytes());
                if (c.getName().equals(main)) {
                    cls = defined;
                }
            }
            List<Fact> facts = ScriptFacts.of(cls);
            assertThat(facts).as("facts were gathered").isNotEmpty();
            assertThat(facts).filteredOn(f -> f.kind() == Fact.Kind.MISTAKE).isEmpty();
            assertThat(facts).filteredOn(f -> f.kind() == Fact.Kind.FILE)
                    .allSatisfy(f -> assertThat(sample.resolveSibling(f.value())).exists());
        }
    }
}

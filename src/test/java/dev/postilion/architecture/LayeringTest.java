package dev.postilion.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package map of DESIGN.md as claims over the main classes: the engine stands on the JDK alone,
 * the packages form no cycle, and each outside library is imported by the one room that owns it.
 */
@AnalyzeClasses(packages = "dev.postilion", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    private static final String[] GROOVY = {"groovy..", "org.codehaus.groovy..", "org.apache.groovy.."};


    /**
     * A socket of any kind (java.net's and java.nio's, by name: archunit.properties keeps the JDK's
     * own classes unimported), TLS, or the engine's classes that hold one. Addresses are values, not sockets.
     */
    private static final DescribedPredicate<JavaClass> SOCKETS = JavaClass.Predicates
            .resideInAnyPackage("java.net..", "java.nio.channels..")
            .and(JavaClass.Predicates.simpleNameContaining("Socket"))
            .and(DescribedPredicate.not(JavaClass.Predicates.simpleNameEndingWith("Address")))
            .or(JavaClass.Predicates.resideInAPackage("javax.net.."))
            .or(JavaClass.Predicates.simpleName("SmtpSession"))
            .or(JavaClass.Predicates.simpleName("SmtpConnection"))
            .as("a socket, TLS, SmtpSession or SmtpConnection");

    /**
     * The engine (smtp and smtp.auth) can be used as a plain Java library: it sees the JDK, the
     * transcript events, and io's file reading, which itself sees only the JDK (next claim).
     */
    @ArchTest
    static final ArchRule engineImportsNothingButTheJdkAndTranscript = classes()
            .that().resideInAPackage("dev.postilion.smtp..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "javax..", "dev.postilion.smtp..", "dev.postilion.transcript..", "dev.postilion.io..");

    /** What the engine stands on stands on the JDK alone (so the transcript never reaches smtp). */
    @ArchTest
    static final ArchRule transcriptAndIoImportOnlyTheJdk = classes()
            .that().resideInAnyPackage("dev.postilion.transcript..", "dev.postilion.io..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "java..", "javax..", "dev.postilion.transcript..", "dev.postilion.io..");

    /** Arrows between packages point one way: no two packages reach each other, however indirectly. */
    @ArchTest
    static final ArchRule packagesHaveNoCycles = slices().matching("dev.postilion.(*)..").should().beFreeOfCycles();

    /** The DSL is reached from the command line only: message, batch, profile and below never call up into it. */
    @ArchTest
    static final ArchRule onlyCliReachesTheDsl = noClasses()
            .that().resideOutsideOfPackages("dev.postilion.dsl..", "dev.postilion.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.postilion.dsl..");

    /** Nothing below the command line reaches up into it. */
    @ArchTest
    static final ArchRule nothingReachesUpIntoTheCli = noClasses()
            .that().resideOutsideOfPackage("dev.postilion.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.postilion.cli..");

    /** Building a message never sees a socket or the engine's connection, however indirectly. */
    @ArchTest
    static final ArchRule messageNeverSeesASocket = noClasses()
            .that().resideInAPackage("dev.postilion.message..")
            .should().transitivelyDependOnClassesThat(SOCKETS);

    /** picocli is the command line's: no other room parses arguments. */
    @ArchTest
    static final ArchRule onlyCliImportsPicocli = noClasses()
            .that().resideOutsideOfPackage("dev.postilion.cli..")
            .should().dependOnClassesThat().resideInAPackage("picocli..");

    /** Groovy is the DSL's: messages, batches, profiles and the engine work without it. */
    @ArchTest
    static final ArchRule onlyDslImportsGroovy = noClasses()
            .that().resideOutsideOfPackage("dev.postilion.dsl..")
            .should().dependOnClassesThat().resideInAnyPackage(GROOVY);

    /** SnakeYAML reads profiles and YAML batch sources, and nothing else. */
    @ArchTest
    static final ArchRule onlyProfileAndBatchImportSnakeYaml = noClasses()
            .that().resideOutsideOfPackages("dev.postilion.profile..", "dev.postilion.batch..")
            .should().dependOnClassesThat().resideInAPackage("org.yaml.snakeyaml..");
}

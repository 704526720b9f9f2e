package dev.millrace.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The dependency rule of docs/architecture.md: the engine knows neither Netty nor Chronicle. */
class ArchitectureTest {
    private final JavaClasses engine = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.millrace.engine");

    @Test
    void engineDependsOnNeitherNettyNorChronicle() {
        noClasses().that().resideInAPackage("dev.millrace.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "net.openhft..")
                .check(engine);
    }

    @Test
    void engineDoesNotDependOnOuterModules() {
        noClasses().that().resideInAPackage("dev.millrace.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.millrace.storage..", "dev.millrace.protocol..")
                .check(engine);
    }
}

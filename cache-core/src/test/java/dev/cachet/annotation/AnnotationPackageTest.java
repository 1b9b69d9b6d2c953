package dev.cachet.annotation;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The annotations can move to a jar of their own: they depend on nothing but the JDK. */
class AnnotationPackageTest {

    @Test
    void theAnnotationsDependOnNothingButTheJdk() {
        classes()
                .that()
                .resideInAPackage("dev.cachet.annotation")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("dev.cachet.annotation", "java.lang..")
                .check(new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.cachet.annotation"));
    }
}

package dev.cachet.spring;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.cachet.internal.NullCaching;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Keeps the Spring module's layering: no package cycles, core's internals reached only where its module exports them
 * to this one, and nothing public in the auto-configuration package but what Boot needs.
 */
class ArchitectureTest {
    private static final JavaClasses SPRING = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cachet.spring");

    @Test
    void noPackageCycles() {
        // "dev.(**)": each package is its own slice, dev.cachet.spring itself included.
        slices().matching("dev.(**)").should().beFreeOfCycles().check(SPRING);
    }

    @Test
    void coreInternalsOnlyThroughTheQualifiedExport() {
        // The same rule as core's module-info, which exports dev.cachet.internal.method and dev.cachet.internal to
        // dev.cachet.spring: of the latter, only NullCaching, the adapter's hook for Spring's null-value contract.
        noClasses()
                .should()
                .dependOnClassesThat(resideInAPackage("dev.cachet.internal..")
                        .and(not(resideInAPackage("dev.cachet.internal.method")))
                        .and(not(belongToAnyOf(NullCaching.class))))
                .check(SPRING);
    }

    @Test
    void onlyAutoConfigurationsAndPropertiesArePublicInTheAutoConfigurationPackage() {
        classes()
                .that()
                .resideInAPackage("dev.cachet.spring.autoconfigure")
                .and()
                .arePublic()
                .and()
                .areTopLevelClasses()
                .should()
                .beAnnotatedWith(AutoConfiguration.class)
                .andShould()
                .haveModifier(JavaModifier.FINAL)
                .orShould()
                .beAnnotatedWith(ConfigurationProperties.class)
                .check(SPRING);
    }
}

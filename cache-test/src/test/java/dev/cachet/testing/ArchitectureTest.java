package dev.cachet.testing;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.cachet.internal.LoadTracking;
import org.junit.jupiter.api.Test;

/**
 * What a module-info would keep for this module (it has none: see its pom): no package cycles, core reached through
 * its exported packages plus the one internal type core exports to this module, and the Redis extension free of the
 * Redis tier itself, so that cache-redis's own tests can use it.
 */
class ArchitectureTest {
    private static final JavaClasses TEST_SUPPORT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cachet.testing");

    @Test
    void noPackageCycles() {
        slices().matching("dev.(**)").should().beFreeOfCycles().check(TEST_SUPPORT);
    }

    @Test
    void coreIsUsedThroughItsExportsOnly() {
        noClasses()
                .should()
                .dependOnClassesThat(
                        resideInAPackage("dev.cachet.internal..").and(not(belongToAnyOf(LoadTracking.class))))
                .check(TEST_SUPPORT);
    }

    @Test
    void neverDependsOnTheRedisTierOrSpring() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.cachet.redis..", "dev.cachet.spring..", "org.springframework..")
                .check(TEST_SUPPORT);
    }
}

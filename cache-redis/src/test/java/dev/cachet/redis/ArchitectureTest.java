package dev.cachet.redis;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the Redis module's layering: no package cycles, and core reached through its exported packages only. */
class ArchitectureTest {
    private static final JavaClasses REDIS = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cachet.redis");

    @Test
    void noPackageCycles() {
        // "dev.(**)": each package is its own slice, dev.cachet.redis itself included.
        slices().matching("dev.(**)").should().beFreeOfCycles().check(REDIS);
    }

    @Test
    void coreIsUsedThroughItsApiOnly() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.cachet.internal..")
                .check(REDIS);
    }

    @Test
    void redisNeverTouchesSpring() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.springframework..")
                .check(REDIS);
    }
}

package dev.cachet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Keeps core's layering: no package cycles, internal packages as leaves, Micrometer optional and confined, the SPI
 * independent of the implementation.
 */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cachet");

    @Test
    void noPackageCycles() {
        // "dev.(**)" rather than "dev.cachet.(**)": each package is its own slice, the root package dev.cachet
        // included.
        slices().matching("dev.(**)").should().beFreeOfCycles().check(CORE);
    }

    @Test
    void internalPackagesAreLeaves() {
        // Whatever needs the API lives in dev.cachet, package-private; internal packages hold helpers that need none.
        noClasses()
                .that()
                .resideInAPackage("dev.cachet.internal..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.cachet", "dev.cachet.spi", "dev.cachet.annotation", "dev.cachet.metrics")
                .check(CORE);
    }

    @Test
    void onlyTheMetricsPackageTouchesMicrometer() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.cachet.metrics..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.micrometer..")
                .check(CORE);
    }

    @Test
    void nothingOutsideTheMetricsPackageUsesIt() {
        // A class that always loads and mentions the metrics package would pull Micrometer in.
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.cachet.metrics..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.cachet.metrics..")
                .check(CORE);
    }

    @Test
    void theSpiDependsOnNoImplementation() {
        noClasses()
                .that()
                .resideInAPackage("dev.cachet.spi..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.cachet.internal..", "com.github.benmanes..")
                .check(CORE);
    }

    @Test
    void theApiDoesNotExposeCaffeine() {
        // The package-private implementation in dev.cachet builds on Caffeine; the public types must not show it.
        noClasses()
                .that()
                .resideInAnyPackage("dev.cachet", "dev.cachet.spi")
                .and()
                .arePublic()
                .should()
                .dependOnClassesThat()
                .resideInAPackage("com.github.benmanes..")
                .check(CORE);
    }

    @Test
    void coreNeverTouchesRedisOrSpring() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("redis.clients..", "org.springframework..", "com.fasterxml..")
                .check(CORE);
    }
}

package dev.cachet;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps core's layering: Micrometer optional and confined, the SPI independent of the implementation. */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cachet");

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
        noClasses()
                .that()
                .resideInAnyPackage("dev.cachet", "dev.cachet.spi")
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

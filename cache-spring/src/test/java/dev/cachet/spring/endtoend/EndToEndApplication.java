package dev.cachet.spring.endtoend;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** The application of the end-to-end test: every auto-configuration on the test class path, and one bean. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class EndToEndApplication {

    @Bean
    PriceBook priceBook() {
        return new PriceBook();
    }
}

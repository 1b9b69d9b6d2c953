package dev.cachet.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedisUrisTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "redis://:abc/SECRET@host:6379        | redis://***@host:6379",
                "redis://user:p@ss/w?rd#x:y@host:6379/2 | redis://***@host:6379/2",
                "rediss://:%40%2F@host                 | rediss://***@host",
                ":abc/SECRET@host:6379                 | ***@host:6379",
                "redis://host:6379/0                   | redis://host:6379/0",
            })
    void noPartOfAPasswordSurvives(String uri, String redacted) {
        assertThat(RedisUris.redact(uri)).isEqualTo(redacted);
        assertThat(RedisUris.redact(uri)).doesNotContain("SECRET", "abc", "ss/w", "rd#x");
    }
}

package dev.cachet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CacheRegistryTest {
    private final CacheRegistry registry = CacheRegistry.create();

    @Test
    void buildingTheSameNameWithEqualSettingsReturnsTheSameCache() {
        Cache<String, String> first =
                Cachet.builder("quotes").registry(registry).maximumSize(10).build();
        first.put("a", "1");
        Cache<String, String> second =
                Cachet.builder("quotes").registry(registry).maximumSize(10).build();
        assertThat(second).isSameAs(first);
        assertThat(second.getIfPresent("a")).isEqualTo("1");
        assertThat(registry.find("quotes")).containsSame(first);
        assertThat(registry.names()).containsExactly("quotes");
    }

    @Test
    void buildingTheSameNameWithOtherSettingsIsAnError() {
        Cachet.builder("quotes").registry(registry).maximumSize(10).build();
        assertThatThrownBy(() -> Cachet.builder("quotes")
                        .registry(registry)
                        .maximumSize(20)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a cache named 'quotes' is already registered with other settings")
                .hasMessageContaining("maximumSize=OptionalLong[10]")
                .hasMessageContaining("maximumSize=OptionalLong[20]");
        assertThatThrownBy(() -> Cachet.builder("quotes")
                        .registry(registry)
                        .maximumSize(10)
                        .expireAfterWrite(Duration.ofSeconds(1))
                        .build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDifferentKindOfCacheUnderTheSameNameIsAnError() {
        Cachet.builder("quotes").registry(registry).build();
        assertThatThrownBy(() -> Cachet.builder("quotes").registry(registry).build(k -> "v"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("loading");
    }

    @Test
    void registriesAreIndependent() {
        CacheRegistry other = CacheRegistry.create();
        Cache<String, String> a =
                Cachet.builder("same").registry(registry).maximumSize(1).build();
        Cache<String, String> b =
                Cachet.builder("same").registry(other).maximumSize(2).build();
        assertThat(a).isNotSameAs(b);
        assertThat(registry.find("same")).containsSame(a);
        assertThat(other.find("same")).containsSame(b);
    }

    @Test
    void removeForgetsTheName() {
        Cache<String, String> first = Cachet.builder("x").registry(registry).build();
        assertThat(registry.remove("x")).isTrue();
        assertThat(registry.remove("x")).isFalse();
        assertThat(registry.find("x")).isEmpty();
        Cache<String, String> second =
                Cachet.builder("x").registry(registry).maximumSize(3).build();
        assertThat(second).isNotSameAs(first);
    }

    @Test
    void listenersHearOfNewCachesOnly() {
        Cachet.builder("before").registry(registry).build();
        List<String> heard = new ArrayList<>();
        registry.onRegistration(cache -> heard.add(cache.name()));
        Cachet.builder("after").registry(registry).build();
        Cachet.builder("after").registry(registry).build(); // same settings: the existing cache, no new event
        assertThat(heard).containsExactly("after");
        assertThat(registry.caches()).extracting(Cache::name).containsExactlyInAnyOrder("before", "after");
    }
}

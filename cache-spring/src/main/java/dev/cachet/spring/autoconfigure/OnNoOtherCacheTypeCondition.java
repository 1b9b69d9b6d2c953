package dev.cachet.spring.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless {@code spring.cache.type} is set: an application that picks a cache provider there gets Boot's
 * CacheManager for it, not Cachet's.
 */
final class OnNoOtherCacheTypeCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("Cachet CacheManager");
        String type = context.getEnvironment().getProperty("spring.cache.type");
        if (type != null && !type.isBlank()) {
            return ConditionOutcome.noMatch(
                    message.found("property spring.cache.type").items(type));
        }
        return ConditionOutcome.match(
                message.didNotFind("property spring.cache.type").atAll());
    }
}

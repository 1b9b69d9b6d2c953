package dev.cachet.spring.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code cachet.redis.url}, {@code cachet.redis.cluster.nodes}, {@code cachet.redis.sentinel.master} or
 * {@code cachet.redis.sentinel.nodes} is set (and not empty).
 */
final class OnRedisConfiguredCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        ConditionMessage.Builder message = ConditionMessage.forCondition("Cachet Redis");
        Binder binder = Binder.get(context.getEnvironment());
        if (binder.bind("cachet.redis.url", String.class)
                .map(url -> !url.isBlank())
                .orElse(false)) {
            return ConditionOutcome.match(message.found("property").items("cachet.redis.url"));
        }
        if (binder.bind("cachet.redis.cluster.nodes", Bindable.listOf(String.class))
                .map(nodes -> !nodes.isEmpty())
                .orElse(false)) {
            return ConditionOutcome.match(message.found("property").items("cachet.redis.cluster.nodes"));
        }
        if (binder.bind("cachet.redis.sentinel.master", String.class)
                .map(master -> !master.isBlank())
                .orElse(false)) {
            return ConditionOutcome.match(message.found("property").items("cachet.redis.sentinel.master"));
        }
        if (binder.bind("cachet.redis.sentinel.nodes", Bindable.listOf(String.class))
                .map(nodes -> !nodes.isEmpty())
                .orElse(false)) {
            return ConditionOutcome.match(message.found("property").items("cachet.redis.sentinel.nodes"));
        }
        return ConditionOutcome.noMatch(message.didNotFind("property")
                .items(
                        "cachet.redis.url",
                        "cachet.redis.cluster.nodes",
                        "cachet.redis.sentinel.master",
                        "cachet.redis.sentinel.nodes"));
    }
}

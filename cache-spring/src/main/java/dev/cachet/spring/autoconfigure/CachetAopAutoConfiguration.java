package dev.cachet.spring.autoconfigure;

import dev.cachet.annotation.CacheInvalidate;
import dev.cachet.annotation.Cached;
import java.lang.reflect.Method;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.Advisor;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.type.AnnotationMetadata;

/**
 * {@link Cached @Cached} and {@link CacheInvalidate @CacheInvalidate} (with {@code @CacheKey}, and Spring's own
 * {@link dev.cachet.spring.KeyExpression @KeyExpression}) on the methods of Spring beans, through Spring AOP: an
 * infrastructure {@link Advisor} that any auto-proxy creator applies, with JDK proxies for beans proxied by interface
 * and class-based (CGLIB) proxies otherwise, as {@code spring.aop.proxy-target-class} says (Boot's default: class
 * based). Registers Spring's infrastructure auto-proxy creator if the context has none, so it works without AspectJ
 * or Boot's AOP auto-configuration.
 *
 * <p>Annotations are read on the bean class's methods and on the interface and superclass methods they override; as
 * with all Spring proxies, a call from the bean to itself is not intercepted. Conditional on Spring AOP on the class
 * path and on {@link CachetAutoConfiguration} having applied.
 */
@AutoConfiguration(
        after = CachetAutoConfiguration.class,
        afterName = "org.springframework.boot.autoconfigure.aop.AopAutoConfiguration")
@ConditionalOnClass({Advisor.class, MethodInterceptor.class})
@ConditionalOnBean(CacheFactory.class)
@Import(CachetAopAutoConfiguration.AutoProxyCreatorRegistrar.class)
public final class CachetAopAutoConfiguration {

    /** Creates the auto-configuration; Spring calls this. */
    public CachetAopAutoConfiguration() {}

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static CachetOperationSource cachetOperationSource(
            ObjectProvider<CacheFactory> factory, ObjectProvider<DeclaredCaches> declaredCaches) {
        return new CachetOperationSource(factory, declaredCaches);
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static Advisor cachetMethodAdvisor(CachetOperationSource operations) {
        StaticMethodMatcherPointcut pointcut = new StaticMethodMatcherPointcut() {
            @Override
            public boolean matches(Method method, Class<?> targetClass) {
                return operations.operation(method, targetClass) != null;
            }
        };
        return new DefaultPointcutAdvisor(pointcut, new CachedMethodInterceptor(operations));
    }

    /** Registers Spring's infrastructure auto-proxy creator unless the context has one (or a more capable one). */
    static final class AutoProxyCreatorRegistrar implements ImportBeanDefinitionRegistrar {
        @Override
        public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
            AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
        }
    }
}

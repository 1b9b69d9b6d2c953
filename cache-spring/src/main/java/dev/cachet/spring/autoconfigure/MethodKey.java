package dev.cachet.spring.autoconfigure;

import static java.util.Objects.requireNonNull;

import dev.cachet.internal.method.MemoKey;
import java.lang.reflect.Method;
import java.util.List;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;

/**
 * Makes the cache key of one call from its arguments, the way {@code Cachet.proxy} does: by value ({@link
 * MemoKey#ofArguments}), one selected argument being the key itself, several an immutable list, none one constant
 * key. Keys are never prefixed with the method: methods that name the same cache share entries of equal keys. Or, with
 * {@link dev.cachet.spring.KeyExpression}, the value of a SpEL expression. Immutable and thread-safe.
 */
sealed interface MethodKey permits MethodKey.Arguments, MethodKey.Spel {

    /**
     * Returns the key of a call with {@code arguments}.
     *
     * @throws IllegalArgumentException if the key cannot be made (too deeply nested, or an expression gave null)
     */
    Object of(Object[] arguments);

    /** The key of a method whose key has no arguments. */
    enum NoArguments {
        KEY;

        @Override
        public String toString() {
            return "()";
        }
    }

    /**
     * A key made of some of the arguments.
     *
     * @param parameters the indexes of the parameters that form the key, in order
     */
    record Arguments(List<Integer> parameters) implements MethodKey {

        public Arguments {
            parameters = List.copyOf(parameters);
        }

        @Override
        public Object of(Object[] arguments) {
            if (parameters.isEmpty()) {
                return NoArguments.KEY;
            }
            Object[] selected = new Object[parameters.size()];
            for (int i = 0; i < selected.length; i++) {
                selected[i] = arguments[parameters.get(i)];
            }
            List<Object> key = MemoKey.ofArguments(selected);
            return key.size() == 1 ? key.get(0) : key;
        }
    }

    /**
     * A key that is the value of a SpEL expression over the arguments.
     *
     * @param method the method whose arguments the expression reads
     * @param description the method as messages name it
     * @param text the expression as written
     * @param expression the parsed expression
     * @param names how parameter names are found
     */
    record Spel(Method method, String description, String text, Expression expression, ParameterNameDiscoverer names)
            implements MethodKey {

        public Spel {
            requireNonNull(method, "method");
            requireNonNull(description, "description");
            requireNonNull(text, "text");
            requireNonNull(expression, "expression");
            requireNonNull(names, "names");
        }

        @Override
        public Object of(Object[] arguments) {
            MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(null, method, arguments, names);
            Object value = expression.getValue(context);
            if (value == null) {
                throw new IllegalArgumentException(description + ": @KeyExpression(\"" + text
                        + "\") gave null for this call; a key must not be null");
            }
            return MemoKey.ofArguments(value).get(0);
        }
    }
}

package dev.cachet;

import java.lang.reflect.Method;

/** What a proxy does when one method of its interface is called. Immutable. */
sealed interface Operation permits CachedOperation, InvalidateOperation, DirectCall {

    /** Returns the interface method, made accessible so that the target can be called through it. */
    Method method();

    /** Returns the method as messages name it: {@code PriceService.price(String, Currency)}. */
    String description();
}

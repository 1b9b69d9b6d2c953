package dev.cachet.redis;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.jsontype.PolymorphicTypeValidator;

/**
 * A Jackson {@link PolymorphicTypeValidator} that refuses every class-name type id, so that a JSON payload can never
 * pick the class Jackson instantiates (the mechanism of Jackson's deserialisation gadgets). Logical type names
 * ({@code @JsonTypeInfo(use = NAME)} with registered subtypes) do not consult it and keep working.
 */
final class NoClassNameTypeIds extends PolymorphicTypeValidator.Base {
    static final NoClassNameTypeIds INSTANCE = new NoClassNameTypeIds();

    private static final long serialVersionUID = 1L;

    private NoClassNameTypeIds() {}

    @Override
    public Validity validateBaseType(MapperConfig<?> config, JavaType baseType) {
        // Undecided: the verdict comes per subtype, where every class name is denied.
        return Validity.INDETERMINATE;
    }

    @Override
    public Validity validateSubClassName(MapperConfig<?> config, JavaType baseType, String subClassName) {
        return Validity.DENIED;
    }

    @Override
    public Validity validateSubType(MapperConfig<?> config, JavaType baseType, JavaType subType) {
        return Validity.DENIED;
    }

    /** Keeps the singleton when deserialised. */
    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "NoClassNameTypeIds";
    }
}

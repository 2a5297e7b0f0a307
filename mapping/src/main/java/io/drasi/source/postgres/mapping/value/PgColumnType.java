package io.drasi.source.postgres.mapping.value;

import java.util.Objects;

/**
 * Describes a column's PostgreSQL type as read from the catalog ({@code pg_type}), for
 * {@link PgValueConverter#fromText(PgColumnType, String)}.
 *
 * <p>Thread-safety: immutable value. Nullability: {@code typeName} is never null;
 * {@code elementType} is non-null only for arrays, {@code baseType} only for domains.
 *
 * @param typeName    {@code pg_type.typname}, e.g. {@code int4}, {@code timestamptz}, {@code _int4}
 * @param category    {@code pg_type.typcategory}, e.g. {@code 'N'}, {@code 'A'}; {@code 'X'} if unknown
 * @param elementType for arrays, the element type ({@code typelem}); else null
 * @param baseType    for domains, the base type ({@code typbasetype}); else null
 * @param isEnum      true for enum types ({@code typtype = 'e'})
 */
public record PgColumnType(
        String typeName, char category, PgColumnType elementType, PgColumnType baseType, boolean isEnum) {

    /** Validates. */
    public PgColumnType {
        Objects.requireNonNull(typeName, "typeName");
    }

    /**
     * A built-in or extension type by name, with its category inferred; {@code _name} is an array of
     * {@code name}.
     *
     * @param typeName {@code pg_type.typname}; never null
     * @return the type
     */
    public static PgColumnType of(String typeName) {
        if (typeName.length() > 1 && typeName.charAt(0) == '_') {
            return arrayOf(of(typeName.substring(1)));
        }
        return new PgColumnType(typeName, inferCategory(typeName), null, null, false);
    }

    /**
     * @param element the element type; never null
     * @return the array type {@code _element}
     */
    public static PgColumnType arrayOf(PgColumnType element) {
        return new PgColumnType("_" + element.typeName(), 'A', Objects.requireNonNull(element, "element"), null, false);
    }

    /**
     * @param name the domain's name; never null
     * @param base the domain's base type; never null
     * @return the domain type
     */
    public static PgColumnType domainOf(String name, PgColumnType base) {
        return new PgColumnType(name, base.category(), null, Objects.requireNonNull(base, "base"), false);
    }

    /**
     * @param name the enum type's name; never null
     * @return the enum type
     */
    public static PgColumnType enumType(String name) {
        return new PgColumnType(name, 'E', null, null, true);
    }

    /** @return this type with domains resolved to their (innermost) base type */
    public PgColumnType resolved() {
        PgColumnType t = this;
        while (t.baseType != null) {
            t = t.baseType;
        }
        return t;
    }

    /** @return true for array types */
    public boolean isArray() {
        return elementType != null || category == 'A';
    }

    private static char inferCategory(String n) {
        switch (n) {
            case "int2":
            case "int4":
            case "int8":
            case "oid":
            case "float4":
            case "float8":
            case "numeric":
            case "money":
                return 'N';
            case "bool":
                return 'B';
            case "text":
            case "varchar":
            case "bpchar":
            case "char":
            case "name":
            case "citext":
                return 'S';
            case "date":
            case "time":
            case "timetz":
            case "timestamp":
            case "timestamptz":
                return 'D';
            case "interval":
                return 'T';
            case "inet":
            case "cidr":
                return 'I';
            case "bit":
            case "varbit":
                return 'V';
            case "point":
            case "box":
            case "lseg":
            case "line":
            case "path":
            case "polygon":
            case "circle":
                return 'G';
            case "int4range":
            case "int8range":
            case "numrange":
            case "tsrange":
            case "tstzrange":
            case "daterange":
                return 'R';
            default:
                return 'U';
        }
    }
}

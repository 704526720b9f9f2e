/**
 * Small pure helpers shared by command families: glob matching, and number parsing and formatting
 * with Redis's exact rules (string2ll integers, strtod and strtold floats, doubles as %.17g, and C's
 * long double as {@link dev.millrace.engine.util.LongDouble} for INCRBYFLOAT).
 */
package dev.millrace.engine.util;

/**
 * Small pure helpers shared by command families (glob matching, number parsing and formatting).
 */
package dev.millrace.engine.util;

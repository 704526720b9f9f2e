/**
 * Server configuration: Redis's parameter names, defaults, validation, redis.conf parsing.
 */
package dev.millrace.engine.config;

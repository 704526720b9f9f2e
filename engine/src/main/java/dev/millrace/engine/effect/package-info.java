/**
 * Effects: the deterministic writes the AOF logs and replicas will receive, and the EffectLog port storage implements.
 */
package dev.millrace.engine.effect;

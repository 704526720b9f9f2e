/**
 * Lua scripting and functions: a real Lua 5.1 interpreter (LuaJava's JNI binding) with Redis 7.0's
 * environment (the redis API, cjson, cmsgpack, bit, struct, read-only globals), EVAL and SCRIPT,
 * FUNCTION and FCALL. Scripts run on the execution thread and call commands through the dispatcher;
 * only killing a running script is requested from another thread.
 */
package dev.millrace.engine.scripting;

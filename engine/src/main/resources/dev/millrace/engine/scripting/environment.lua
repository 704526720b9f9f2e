-- The environment every script and function library runs in, as Redis 7.0 builds it (script_lua.c,
-- eval.c): the redis API, math.random on Redis's generator, the error handler that adds the failing
-- line, no file or OS access, and globals that scripts can read but not create or change.
-- Run once when the interpreter starts, with the Java functions in the global __millrace_api.
local api = __millrace_api
__millrace_api = nil
local ENV_SOURCE = '@millrace_environment'

loadfile = nil
dofile = nil
print = nil
require = nil
module = nil
package = nil
os = nil
io = nil
newproxy = nil

local function error_table(s)
  local code, msg
  if string.sub(s, 1, 1) == '-' then
    local space = string.find(s, ' ', 1, true)
    if space then
      code, msg = string.sub(s, 2, space - 1), string.sub(s, space + 1)
    else
      code, msg = 'ERR', string.sub(s, 2)
    end
  else
    code, msg = 'ERR', s
  end
  msg = string.gsub(string.gsub(msg, '^[\r\n]+', ''), '[\r\n]+$', '')
  return {err = code .. ' ' .. msg}
end

redis = {
  call = api.call,
  pcall = api.pcall,
  sha1hex = api.sha1hex,
  log = api.log,
  setresp = api.setresp,
  set_repl = api.set_repl,
  error_reply = function(...)
    local s = ...
    if select('#', ...) ~= 1 or type(s) ~= 'string' then
      return error_table('wrong number or type of arguments')
    end
    if string.sub(s, 1, 1) ~= '-' then s = '-' .. s end
    return error_table(s)
  end,
  status_reply = function(...)
    local s = ...
    if select('#', ...) ~= 1 or type(s) ~= 'string' then
      return error_table('wrong number or type of arguments')
    end
    return {ok = s}
  end,
  replicate_commands = function() return true end,
  breakpoint = function() return false end,
  debug = function() end,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3,
  REDIS_VERSION = api.version, REDIS_VERSION_NUM = api.version_num,
}
math.random = api.random
math.randomseed = api.randomseed
cjson = api.cjson
cmsgpack = api.cmsgpack
bit = api.bit
struct = api.struct

-- The error handler of every run (Redis's __redis__err__handler): a string error becomes {err='ERR ...'}
-- and the table learns the script's source and line. Frames of this file (the readonly guards) and one
-- C frame (error, redis.call, ...) are skipped, so the line is the script's, as in Redis.
local getinfo = debug.getinfo
local function err_handler(err)
  local level, skipped_c = 2, false
  local i = getinfo(level, 'nSl')
  while i and (i.source == ENV_SOURCE or (i.what == 'C' and not skipped_c)) do
    skipped_c = skipped_c or i.what == 'C'
    level = level + 1
    i = getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end

-- pcall as Redis 7.0 wraps it (luaRedisPcall): a caught error table becomes its err string, so
-- pcall(redis.call, ...) returns false and the error text.
local raw_pcall = pcall
local function pcall_result(ok, ...)
  if ok then return true, ... end
  local e = ...
  if type(e) == 'table' then
    local text = e.err
    if type(text) == 'string' or type(text) == 'number' then e = text end
  end
  return false, e
end
pcall = function(...) return pcall_result(raw_pcall(...)) end

-- The busy-script hook, which Java installs through set_hook_count and which decides itself (busy
-- time, SCRIPT KILL, FUNCTION KILL) and raises the error. Once a kill is requested it fires at every instruction, so a script that catches the error with pcall
-- fails again at its next instruction outside the pcall.
local sethook, hook = debug.sethook, api.hook
local function set_hook_count(n) sethook(hook, '', n) end
debug = nil

-- Read-only globals and libraries. Redis 7.0 marks the tables read-only inside its patched Lua; plain
-- Lua 5.1 gets the same errors from proxies: each protected table is an empty table whose metatable
-- reads from the real one and refuses writes. rawset and setmetatable refuse protected tables too.
local protected = setmetatable({}, {__mode = 'k'})
local raw_rawset, raw_setmetatable = rawset, setmetatable
local function readonly_error() error('Attempt to modify a readonly table', 2) end
local function readonly(t)
  local proxy = raw_setmetatable({}, {__index = t, __newindex = readonly_error, __metatable = false})
  protected[proxy] = true
  return proxy
end
for _, name in ipairs({'redis', 'string', 'math', 'table', 'coroutine', 'cjson', 'cmsgpack', 'bit', 'struct'}) do
  _G[name] = readonly(_G[name])
end
getmetatable('').__index = string
rawset = function(t, k, v)
  if protected[t] then error('Attempt to modify a readonly table', 0) end
  return raw_rawset(t, k, v)
end
setmetatable = function(t, mt)
  if protected[t] then error('Attempt to modify a readonly table', 0) end
  return raw_setmetatable(t, mt)
end

local G = _G
local globals = {}
for k, v in pairs(G) do globals[k] = v end
for k in pairs(globals) do raw_rawset(G, k, nil) end
globals._G = G
raw_setmetatable(globals, {__index = function(_, name)
  error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
end})
-- LuaJava's own bookkeeping global (Lua.GLOBAL_THROWABLE), which it assigns around each Java call.
raw_setmetatable(G, {__index = globals, __metatable = false, __newindex = function(t, k, v)
  if k == '__jthrowable__' then return raw_rawset(t, k, v) end
  error('Attempt to modify a readonly table', 2)
end})
protected[G] = true
-- Java keeps both: the handler for every run, the globals to set KEYS and ARGV in.
-- Function libraries (FUNCTION LOAD) share one environment. While a library's code runs, its globals
-- are only redis.register_function, redis.log and the constants (Redis's library API); once loaded,
-- its functions see the same globals as scripts.
local function missing(_, name)
  error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
end
local library_redis = setmetatable({
  register_function = api.register_function,
  log = api.log,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REDIS_VERSION = api.version, REDIS_VERSION_NUM = api.version_num,
}, {__index = missing, __newindex = readonly_error, __metatable = false})
protected[library_redis] = true
local library_api = setmetatable({redis = library_redis}, {__index = missing})
local function_env_meta = {__index = globals, __newindex = readonly_error, __metatable = false}
local function_env = raw_setmetatable({}, function_env_meta)
protected[function_env] = true
local raw_xpcall, raw_setfenv = xpcall, setfenv
local function load_library(chunk)
  raw_setfenv(chunk, function_env)
  function_env_meta.__index = library_api
  local ok, err = raw_xpcall(chunk, err_handler)
  function_env_meta.__index = globals
  if not ok then error(err, 0) end
end

-- luaL_where for errors raised by Java functions: level 3 is the Lua code that called the Java function.
local function where(level)
  local i = getinfo(level, 'Sl')
  if i and i.currentline > 0 then return i.short_src .. ':' .. i.currentline .. ': ' end
  return ''
end
return err_handler, globals, where, set_hook_count, load_library

-- The environment every script and function library runs in, as Redis 7.0 builds it (script_lua.c,
-- eval.c, function_lua.c): the redis API, math.random on Redis's generator, the error handler that adds
-- the failing line, no file or OS access, and globals and library tables that scripts can read but not
-- change. Run once when the interpreter starts, with the Java functions in the global __millrace_api.
local api = __millrace_api
__millrace_api = nil
local ENV_SOURCE = '@millrace_environment'
local G = _G

-- The built-ins as Lua made them: the wrappers below call them.
local raw_next, raw_pairs, raw_rawget, raw_rawset = next, pairs, rawget, rawset
local raw_getmetatable, raw_setmetatable = getmetatable, setmetatable
local raw_type, raw_select, raw_tonumber, raw_tostring, raw_error = type, select, tonumber, tostring, error
local raw_pcall, raw_xpcall, raw_setfenv = pcall, xpcall, setfenv
local raw_insert, raw_foreach = table.insert, table.foreach
local getinfo, sethook, metatable_of = debug.getinfo, debug.sethook, debug.getmetatable
local string_meta = raw_getmetatable('')
local sub, find, gsub = string.sub, string.find, string.gsub

local function error_table(s)
  local code, msg
  if sub(s, 1, 1) == '-' then
    local space = find(s, ' ', 1, true)
    if space then
      code, msg = sub(s, 2, space - 1), sub(s, space + 1)
    else
      code, msg = 'ERR', sub(s, 2)
    end
  else
    code, msg = 'ERR', s
  end
  msg = gsub(gsub(msg, '^[\r\n]+', ''), '[\r\n]+$', '')
  return {err = code .. ' ' .. msg}
end

local function error_reply(...)
  local s = ...
  if raw_select('#', ...) ~= 1 or raw_type(s) ~= 'string' then
    return error_table('wrong number or type of arguments')
  end
  if sub(s, 1, 1) ~= '-' then s = '-' .. s end
  return error_table(s)
end

local function status_reply(...)
  local s = ...
  if raw_select('#', ...) ~= 1 or raw_type(s) ~= 'string' then
    return error_table('wrong number or type of arguments')
  end
  return {ok = s}
end

-- luaRegisterLogFunction and luaRegisterVersion: fields of both redis tables (scripts', libraries').
local function add_log_and_version(r)
  r.log = api.log
  r.LOG_DEBUG = 0
  r.LOG_VERBOSE = 1
  r.LOG_NOTICE = 2
  r.LOG_WARNING = 3
  r.REDIS_VERSION_NUM = api.version_num
  r.REDIS_VERSION = api.version
end

-- The redis table, its fields set one by one in Redis's order (luaRegisterRedisAPI, then eval.c's
-- debugging functions for scripts): pairs() then lists them in Redis's order.
local function redis_api(for_scripts)
  local r = {}
  r.call = api.call
  r.pcall = api.pcall
  add_log_and_version(r)
  r.setresp = api.setresp
  r.sha1hex = api.sha1hex
  r.error_reply = error_reply
  r.status_reply = status_reply
  r.set_repl = api.set_repl
  r.REPL_NONE = 0
  r.REPL_AOF = 1
  r.REPL_SLAVE = 2
  r.REPL_REPLICA = 2
  r.REPL_ALL = 3
  r.acl_check_cmd = api.acl_check_cmd
  if for_scripts then
    r.breakpoint = function() return false end
    r.debug = function() end
    r.replicate_commands = function() return true end
  end
  return r
end
math.random = api.random
math.randomseed = api.randomseed

-- The error handler of every run (Redis's __redis__err__handler): a string error becomes {err='ERR ...'}
-- and the table learns the script's source and line. Frames of this file (the wrappers below) and one
-- C frame (error, redis.call, ...) are skipped, so the line is the script's, as in Redis.
local function err_handler(err)
  local level, skipped_c = 2, false
  local i = getinfo(level, 'nSl')
  while i and (i.source == ENV_SOURCE or (i.what == 'C' and not skipped_c)) do
    skipped_c = skipped_c or i.what == 'C'
    level = level + 1
    i = getinfo(level, 'nSl')
  end
  if raw_type(err) ~= 'table' then
    err = {err = 'ERR ' .. raw_tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end

-- pcall as Redis 7.0 wraps it (luaRedisPcall): a caught error table becomes its err string, so
-- pcall(redis.call, ...) returns false and the error text.
local function pcall_result(ok, ...)
  if ok then return true, ... end
  local e = ...
  if raw_type(e) == 'table' then
    local text = e.err
    if raw_type(text) == 'string' or raw_type(text) == 'number' then e = text end
  end
  return false, e
end
-- With no argument Redis's pcall calls its own result placeholder, true.
local function redis_pcall(...)
  if raw_select('#', ...) == 0 then return false, 'attempt to call a boolean value' end
  return pcall_result(raw_pcall(...))
end

-- The busy-script hook, which Java installs through set_hook_count and which decides itself (busy
-- time, SCRIPT KILL, FUNCTION KILL) and raises the error. Once a kill is requested it fires at every
-- instruction, so a script that catches the error with pcall fails again at its next instruction
-- outside the pcall.
local hook = api.hook
local function set_hook_count(n) sethook(hook, '', n) end

-- ---------------------------------------------------------------- read-only tables
-- Redis 7.0 flags _G, the library tables, their metatables and the string metatable read-only inside
-- its patched Lua, and reading them stays ordinary. Plain Lua 5.1 has no such flag, so each of them is
-- a view here: an empty table whose metatable reads the table holding its contents and refuses writes
-- (Lua writes an existing key without asking the metatable, so the contents cannot be the view). The
-- built-ins that read a table raw (next, pairs, rawget, getmetatable, table.foreach) and the ones that
-- write it raw (rawset, setmetatable, table.insert) are wrapped to see through a view, with the
-- argument checks and messages of the C functions they stand for; cjson and cmsgpack (Java) look
-- contents up too. The others need nothing: no read-only table has an array part, so #, ipairs,
-- unpack, table.concat, table.sort and table.remove see what they see in Redis.
local contents = {}    -- view -> the table holding its contents
local shown_meta = {}  -- view -> what getmetatable returns for it (nil for the library tables)

local function readonly_error() raw_error('Attempt to modify a readonly table', 2) end

local function readonly(t, meta)
  local view = raw_setmetatable({}, {__index = t, __newindex = readonly_error, __metatable = false})
  contents[view] = t
  shown_meta[view] = meta
  return view
end

-- luaProtectedTableError, the __index of the globals' metatable: reading a missing global fails.
local function protected_error(...)
  if raw_select('#', ...) ~= 2 then raw_error('Wrong number of arguments to luaProtectedTableError', 2) end
  local _, name = ...
  local kind = raw_type(name)
  if kind ~= 'string' and kind ~= 'number' then
    raw_error('Second argument to luaProtectedTableError must be a string or number', 2)
  end
  raw_error("Script attempted to access nonexistent global variable '" .. name .. "'", 2)
end

-- A wrapper's caller gets luaL_argerror's message, naming the wrapper as the caller's code calls it
-- ('?' when C called it: pcall) and placed at the caller's line, as the C function's own would be.
local function arg_error(n, message)
  local ar = getinfo(2, 'n')
  if ar.namewhat == 'method' then
    n = n - 1
    if n == 0 then raw_error("calling '" .. ar.name .. "' on bad self (" .. message .. ')', 3) end
  end
  raw_error('bad argument #' .. n .. " to '" .. (ar.name or '?') .. "' (" .. message .. ')', 3)
end

-- luaL_typename of argument n of a call that passed count arguments.
local function typename(n, count, value)
  if n > count then return 'no value' end
  return raw_type(value)
end

local function next_(...)
  local t, k = ...
  local c = contents[t]
  if c then return raw_next(c, k) end
  if raw_type(t) ~= 'table' then arg_error(1, 'table expected, got ' .. typename(1, raw_select('#', ...), t)) end
  return raw_next(t, k)
end

-- A view's iterator is next_ itself: it never hands out the contents table.
local function pairs_(...)
  local t = ...
  if contents[t] then return next_, t, nil end
  if raw_type(t) ~= 'table' then arg_error(1, 'table expected, got ' .. typename(1, raw_select('#', ...), t)) end
  return raw_pairs(t)
end

local function rawget_(...)
  local t, k = ...
  local c = contents[t]
  if not c then
    if raw_type(t) ~= 'table' then arg_error(1, 'table expected, got ' .. typename(1, raw_select('#', ...), t)) end
    c = t
  end
  if k == nil and raw_select('#', ...) < 2 then arg_error(2, 'value expected') end
  return raw_rawget(c, k)
end

-- Redis refuses a read-only table in lua_rawset, after rawset's argument checks, with no line number.
local function rawset_(...)
  local t, k, v = ...
  local view = contents[t]
  if not view and raw_type(t) ~= 'table' then
    arg_error(1, 'table expected, got ' .. typename(1, raw_select('#', ...), t))
  end
  if v == nil then
    local count = raw_select('#', ...)
    if count < 2 then arg_error(2, 'value expected') end
    if count < 3 then arg_error(3, 'value expected') end
  end
  if view then raw_error('Attempt to modify a readonly table', 0) end
  return raw_rawset(t, k, v)
end

local string_meta_view -- getmetatable('') shows this view of the strings' metatable
local function getmetatable_(...)
  local o = ...
  if contents[o] then return shown_meta[o] end
  if o == nil and raw_select('#', ...) == 0 then arg_error(1, 'value expected') end
  local mt = raw_getmetatable(o)
  if mt == string_meta then return string_meta_view end
  return mt
end

-- Redis refuses a read-only table in lua_setmetatable, after setmetatable's own checks (none of the
-- read-only tables has a __metatable field).
local function setmetatable_(...)
  local t, mt = ...
  local view = contents[t]
  if not view and raw_type(t) ~= 'table' then
    arg_error(1, 'table expected, got ' .. typename(1, raw_select('#', ...), t))
  end
  local kind = raw_type(mt)
  if (kind ~= 'nil' and kind ~= 'table') or (mt == nil and raw_select('#', ...) < 2) then
    arg_error(2, 'nil or table expected')
  end
  if view then raw_error('Attempt to modify a readonly table', 0) end
  local old = metatable_of(t)
  if old and raw_rawget(old, '__metatable') ~= nil then raw_error('cannot change a protected metatable', 2) end
  return raw_setmetatable(t, mt)
end

-- table.insert writes with lua_rawseti, which Redis refuses for a read-only table (after the checks).
local function insert_(...)
  local t = ...
  local view = contents[t]
  if not view and raw_type(t) ~= 'table' then
    arg_error(1, 'table expected, got ' .. typename(1, raw_select('#', ...), t))
  end
  local count = raw_select('#', ...)
  if count == 3 then
    local pos = raw_select(2, ...)
    if raw_tonumber(pos) == nil then arg_error(2, 'number expected, got ' .. raw_type(pos)) end
  elseif count ~= 2 then
    raw_error("wrong number of arguments to 'insert'", 2)
  end
  if view then raw_error('Attempt to modify a readonly table', 0) end
  return raw_insert(...)
end

local function foreach_(...)
  local t, f = ...
  local count = raw_select('#', ...)
  local c = contents[t]
  if not c then
    if raw_type(t) ~= 'table' then arg_error(1, 'table expected, got ' .. typename(1, count, t)) end
    c = t
  end
  if raw_type(f) ~= 'function' then arg_error(2, 'function expected, got ' .. typename(2, count, f)) end
  return raw_foreach(c, f)
end

table.insert = insert_
table.foreach = foreach_
local libraries = {}
for _, name in ipairs({'string', 'math', 'table', 'coroutine'}) do libraries[name] = readonly(G[name]) end
for _, name in ipairs({'cjson', 'cmsgpack', 'bit', 'struct'}) do libraries[name] = readonly(api[name]) end
string_meta.__index = libraries.string
string_meta_view = readonly(string_meta)

-- ---------------------------------------------------------------- the globals
-- Scripts (EVAL) read their globals from `globals`, through the empty global table G; functions
-- (FCALL) from `function_globals`, through function_env, as Redis runs them in a Lua state of their
-- own: without KEYS, ARGV, __redis__err__handler and redis's debugging functions. Redis 7.0.15 as
-- tested (Debian's 7.0.15 with its CVE-2025-46818 fix) no longer has setfenv, getfenv and newproxy.
--
-- Each globals table is built so that its 64 nodes hold the names where Redis's hold them, for
-- pairs(_G) to list them in Redis's order: a constructor sizes the table at once, the names at their
-- main position come first, then the ones that collide, in the order that puts each in the free node
-- Redis's history left it in (Lua 5.1 hashes strings alike everywhere). The `debug` filler takes the
-- node Redis's deleted `debug` keeps and is left nil. KEYS and ARGV are set by every EVAL and never
-- removed (Redis keeps the last ones too): a key removed and added again could move.
local function_env_meta = {__newindex = readonly_error, __metatable = false}
local function_env = raw_setmetatable({}, function_env_meta)

local function globals_table(for_scripts)
  local redis = readonly(redis_api(for_scripts))
  local s, l = libraries, {}
  if for_scripts then
    return {
      string = s.string, xpcall = xpcall, __redis__err__handler = err_handler, tostring = tostring,
      _VERSION = _VERSION, unpack = unpack, setmetatable = setmetatable_, next = next_, assert = assert,
      tonumber = tonumber, rawequal = rawequal, collectgarbage = collectgarbage, struct = s.struct,
      getmetatable = getmetatable_, ARGV = l, _G = G, cjson = s.cjson, math = s.math, pcall = redis_pcall,
      type = type, select = select, rawget = rawget_, loadstring = loadstring, error = error,
      load = load, ipairs = ipairs, pairs = pairs_, coroutine = s.coroutine, table = s.table, debug = nil,
      gcinfo = gcinfo, rawset = rawset_, cmsgpack = s.cmsgpack, bit = s.bit, redis = redis, KEYS = l,
    }
  end
  return {
    string = s.string, xpcall = xpcall, tostring = tostring,
    _VERSION = _VERSION, unpack = unpack, setmetatable = setmetatable_, next = next_, assert = assert,
    tonumber = tonumber, rawequal = rawequal, collectgarbage = collectgarbage, struct = s.struct,
    getmetatable = getmetatable_, _G = function_env, cjson = s.cjson, math = s.math, pcall = redis_pcall,
    type = type, select = select, rawget = rawget_, loadstring = loadstring, error = error,
    load = load, ipairs = ipairs, pairs = pairs_, coroutine = s.coroutine, table = s.table, debug = nil,
    gcinfo = gcinfo, rawset = rawset_, cmsgpack = s.cmsgpack, bit = s.bit, redis = redis,
  }
end
local globals = globals_table(true)
local function_globals = globals_table(false)

-- Lua gives a loaded chunk the thread's globals, which are the scripts' here; in Redis a function's
-- chunk gets the functions' own. Functions' loadstring and load set it (after the C functions' checks).
local raw_loadstring, raw_load = loadstring, load
local function in_function_env(f, ...)
  if f then raw_setfenv(f, function_env) end
  return f, ...
end
local function bad_chunkname(name)
  local kind = raw_type(name)
  return kind ~= 'nil' and kind ~= 'string' and kind ~= 'number'
end
raw_rawset(function_globals, 'loadstring', function(...)
  local s, name = ...
  local count, kind = raw_select('#', ...), raw_type(s)
  if kind ~= 'string' and kind ~= 'number' then arg_error(1, 'string expected, got ' .. typename(1, count, s)) end
  if bad_chunkname(name) then arg_error(2, 'string expected, got ' .. raw_type(name)) end
  return in_function_env(raw_loadstring(s, name))
end)
raw_rawset(function_globals, 'load', function(...)
  local f, name = ...
  local count = raw_select('#', ...)
  if raw_type(f) ~= 'function' then arg_error(1, 'function expected, got ' .. typename(1, count, f)) end
  if bad_chunkname(name) then arg_error(2, 'string expected, got ' .. raw_type(name)) end
  return in_function_env(raw_load(f, name))
end)
raw_setmetatable(globals, {__index = protected_error})
raw_setmetatable(function_globals, {__index = protected_error})

for k in raw_pairs(G) do raw_rawset(G, k, nil) end
-- LuaJava's own bookkeeping global (Lua.GLOBAL_THROWABLE), which it assigns around each Java call.
raw_setmetatable(G, {__index = globals, __metatable = false, __newindex = function(t, k, v)
  if k == '__jthrowable__' then return raw_rawset(t, k, v) end
  raw_error('Attempt to modify a readonly table', 2)
end})
contents[G] = globals
shown_meta[G] = readonly({__index = protected_error})
function_env_meta.__index = function_globals
contents[function_env] = function_globals
shown_meta[function_env] = readonly({__index = protected_error})

-- Function libraries (FUNCTION LOAD) run in function_env too. While a library's code runs, its only
-- global is a redis table of the library API: register_function, log and the constants (Redis's
-- function_lua.c, in its order).
local library_redis = {}
library_redis.register_function = api.register_function
add_log_and_version(library_redis)
raw_setmetatable(library_redis, {__index = protected_error})
local library_api = raw_setmetatable({redis = readonly(library_redis, readonly({__index = protected_error}))},
  {__index = protected_error})
local function load_library(chunk)
  raw_setfenv(chunk, function_env)
  function_env_meta.__index = library_api
  local ok, err = raw_xpcall(chunk, err_handler)
  function_env_meta.__index = function_globals
  if not ok then raw_error(err, 0) end
end

-- luaL_where for errors raised by Java functions: level 3 is the Lua code that called the Java function.
local function where(level)
  local i = getinfo(level, 'Sl')
  if i and i.currentline > 0 then return i.short_src .. ':' .. i.currentline .. ': ' end
  return ''
end
-- Java keeps these: the handler for every run, the globals to set KEYS and ARGV in, and the views'
-- contents for cjson and cmsgpack to encode what a view shows.
return err_handler, globals, where, set_hook_count, load_library, contents

"""redis-py (Debian's python3-redis) against a running Millrace: the calls an application makes."""
import sys
import redis

r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
assert r.ping() is True
assert r.set("py:greeting", "hello") is True
assert r.get("py:greeting") == "hello"
assert r.set("py:greeting", "again", nx=True) is None
assert r.incr("py:counter") == 1 and r.incrby("py:counter", 41) == 42
assert r.incrbyfloat("py:float", 0.1) == 0.1
assert r.setex("py:session", 100, "alice") is True and 0 < r.ttl("py:session") <= 100
assert r.mset({"py:a": "1", "py:b": "2"}) is True and r.mget("py:a", "py:b", "py:none") == ["1", "2", None]
pipe = r.pipeline(transaction=False)
for i in range(100):
    pipe.set("py:item:%d" % i, i)
assert all(pipe.execute())
assert len(list(r.scan_iter(match="py:item:*", count=10))) == 100
assert r.delete("py:a", "py:b", "py:none") == 2
assert r.exists("py:a") == 0 and r.type("py:greeting") == "string"
try:
    r.incr("py:greeting")
    raise AssertionError("INCR of a non-integer must fail")
except redis.ResponseError as e:
    assert str(e) == "value is not an integer or out of range", str(e)
info = r.info("server")
assert info["redis_version"] == "7.0.15"
print("redis-py %s: ok" % redis.__version__)

// ioredis (npm) against a running Millrace: the calls an application makes.
const Redis = require("ioredis");
const assert = require("assert");

(async () => {
  const r = new Redis({ host: "127.0.0.1", port: Number(process.argv[2]), lazyConnect: true });
  await r.connect();
  assert.strictEqual(await r.ping(), "PONG");
  assert.strictEqual(await r.set("js:greeting", "hello"), "OK");
  assert.strictEqual(await r.get("js:greeting"), "hello");
  assert.strictEqual(await r.set("js:session", "bob", "EX", 100), "OK");
  const ttl = await r.ttl("js:session");
  assert.ok(ttl > 0 && ttl <= 100);
  assert.strictEqual(await r.incr("js:counter"), 1);
  const results = await r.pipeline(Array.from({ length: 100 }, (_, i) => ["set", `js:item:${i}`, `${i}`])).exec();
  assert.ok(results.every(([err, res]) => err === null && res === "OK"));
  assert.deepStrictEqual(await r.mget("js:item:0", "js:item:99", "js:none"), ["0", "99", null]);
  await assert.rejects(r.incr("js:greeting"), /value is not an integer or out of range/);
  assert.strictEqual(await r.del("js:greeting", "js:none"), 1);
  r.disconnect();
  console.log("ioredis: ok");
})().catch((e) => { console.error(e); process.exit(1); });

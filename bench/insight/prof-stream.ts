import { formatInsightTime } from '@insight/protocol';
import { createMockServer } from '@insight/mock-server';
import { request } from 'undici';
const t0 = performance.now();
const server = await createMockServer({
  dataDir: '/tmp/h5b/db1m',
  insight: { corpus: { size: 1_000_000, seed: 7 }, firehoseRate: 0 },
});
console.log('open', (performance.now() - t0).toFixed(0));
if (process.env.CACHE) server.store.db.pragma('cache_size = -' + process.env.CACHE);
const h = { 'X-Insight-Biz-Name': 'demo-biz', 'X-Insight-Biz-Secret': 'demo-secret' };
const tok = ((await (await request(`${server.url}/oauth/access_token`, { headers: h })).body.json()) as any).data
  .access_token;
const H = { 'X-Insight-Biz-Name': 'demo-biz', 'X-Insight-Access-Token': tok, 'content-type': 'application/json' };
const BROAD = ['or', ['in', '的', { fl: ['title', 'asr'] }], ['in', 'the', { fl: ['title', 'asr'] }]];
const now = Date.now();
let t = performance.now();
const c = (await (
  await request(`${server.url}/openapi/backtrack/create_task`, {
    method: 'POST',
    headers: H,
    body: JSON.stringify({
      rule: BROAD,
      start_time: formatInsightTime(now - 89 * 86400000),
      end_time: formatInsightTime(now),
      limit: 1000000,
      de_duplicate: false,
    }),
  })
).body.json()) as any;
for (;;) {
  const i = (await (
    await request(`${server.url}/openapi/backtrack/get_task_info?task_id=${c.data.task_id}`, { headers: H })
  ).body.json()) as any;
  if (i.data.task_status === 'finished') break;
  await new Promise((r) => setTimeout(r, 20));
}
console.log('backtrack', (performance.now() - t).toFixed(0));
t = performance.now();
const res = await request(`${server.url}/openapi/item/sse/backtrack/stream?task_id=${c.data.task_id}`, { headers: H });
const n = 0;
let bytes = 0;
for await (const chunk of res.body) {
  bytes += chunk.length;
}
console.log('stream', (performance.now() - t).toFixed(0), 'MB', (bytes / 1e6).toFixed(0));
await server.close();

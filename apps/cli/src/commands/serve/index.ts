import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type ByteAirTenant,
  createMockServer,
  DEFAULT_BODY_BYTES,
  DEFAULT_TENANT,
  EMULATOR_VERSION,
} from '@insight/mock-server';
import { type CommandContext, type CommandModule, defineCommand } from '../../command.js';
import { SERVE_BOUNDS } from '../../config-schema.js';
import { EXIT_CODES, invalidInput, usageError } from '../../errors.js';
import { formatCount } from '../../format.js';
import { readJsonLines } from '../../input.js';
import { postOf } from '../../posts.js';

/** Where `insight serve` keeps its database when no `--data-dir` is given. */
const DEFAULT_SERVE_DATA_DIR = '.insight-emulator';

/** The port `insight serve` listens on when none is given. */
const DEFAULT_SERVE_PORT = 8080;

/** The Content Insight account the emulator accepts when none is configured (the emulator's own default). */
const DEFAULT_ACCOUNT = { bizName: 'demo-biz', secret: 'demo-secret' };

/** `insight serve`: the emulator as a standalone service. */
const serveCommand = defineCommand({
  name: 'serve',
  summary: 'Run the emulator of both services as a standalone server',
  usage: '[options]',
  description: [
    'Serves Content Insight and ByteAir on one port, with a control plane under /_insight/ (health, reset, state,',
    'requests, faults, seed). The data directory persists across restarts; the synthetic corpus is generated only',
    'when it holds no posts. Accounts and tenants come from flags, else INSIGHT_BIZ_NAME/INSIGHT_BIZ_SECRET and',
    'BYTEAIR_TENANT_ID with BYTEAIR_TOKEN or BYTEAIR_ACCESS_KEY/BYTEAIR_SECRET_KEY, else the config file\'s "serve"',
    'section, else the built-in demo credentials. Logs one line per request; stops cleanly on SIGINT/SIGTERM.',
  ].join('\n'),
  options: {
    port: {
      type: 'string',
      short: 'p',
      placeholder: '<port>',
      description: `Port, 0 for any free one (default ${DEFAULT_SERVE_PORT})`,
    },
    host: { type: 'string', placeholder: '<address>', description: 'Interface to listen on (default 127.0.0.1)' },
    'data-dir': {
      type: 'string',
      placeholder: '<dir>',
      description: `Database directory, or ':memory:' (default ./${DEFAULT_SERVE_DATA_DIR})`,
    },
    seed: { type: 'string', placeholder: '<n>', description: 'Seed of the synthetic data (default 42)' },
    posts: { type: 'string', placeholder: '<n>', description: 'Posts of the synthetic corpus (default 10000)' },
    days: {
      type: 'string',
      placeholder: '<n>',
      description: 'Days the synthetic corpus spans, ending now (default 90)',
    },
    import: {
      type: 'string',
      placeholder: '<file.jsonl>',
      description: 'Import posts at start (JSONL: an item_doc, or an envelope holding one, per line)',
    },
    rate: {
      type: 'string',
      placeholder: '<posts/s>',
      description: 'Posts per second of the realtime firehose (default 2)',
    },
    account: {
      type: 'string',
      multiple: true,
      placeholder: '<name:secret>',
      description: 'A Content Insight account',
    },
    tenant: {
      type: 'string',
      multiple: true,
      placeholder: '<id:token|id:ak:sk>',
      description: 'A ByteAir tenant, air auth (token) or AK/SK',
    },
    'enforce-qps': { type: 'boolean', description: "Answer [40006] beyond each endpoint's documented QPS" },
    quiet: { type: 'boolean', short: 'q', description: 'No request log' },
  },
  maxPositionals: 0,
  examples: [
    'insight serve',
    'insight serve --port 9000 --data-dir /var/lib/insight --posts 100000 --rate 20',
    'insight serve --account acme:s3cret --tenant acme-tenant:token123 --import posts.jsonl',
    'insight serve --port 0 --data-dir :memory: --json',
  ],
  async run(ctx, values) {
    const { out, io, config } = ctx;
    const file = config.serve ?? {};
    const port = parseNumber(values.port, '--port', { integer: true, max: 65535 }) ?? file.port ?? DEFAULT_SERVE_PORT;
    const host = values.host ?? file.host ?? '127.0.0.1';
    const dataDirSetting = values['data-dir'] ?? file.dataDir ?? DEFAULT_SERVE_DATA_DIR;
    const dataDir = dataDirSetting === ':memory:' ? dataDirSetting : resolve(io.cwd, dataDirSetting);
    if (dataDir !== ':memory:') mkdirSync(dataDir, { recursive: true });
    const seed = parseNumber(values.seed, '--seed', { integer: true }) ?? file.seed;
    const posts = parseNumber(values.posts, '--posts', { integer: true, max: SERVE_BOUNDS.maxPosts }) ?? file.posts;
    const days = parseNumber(values.days, '--days', { positive: true, max: SERVE_BOUNDS.maxDays }) ?? file.days;
    const rate = parseNumber(values.rate, '--rate', { max: SERVE_BOUNDS.maxFirehoseRate }) ?? file.firehoseRate;
    const accounts = resolveAccounts(values.account, ctx);
    const tenants = resolveTenants(values.tenant, ctx);
    const importFile = values.import ?? file.import;
    const importPostsList = importFile === undefined ? undefined : await readPosts(importFile, ctx);
    const quiet = values.quiet ?? false;

    const server = await createMockServer({
      host,
      port,
      dataDir,
      ...(seed === undefined ? {} : { seed }),
      tenants,
      insight: {
        accounts,
        corpus: { ...(posts === undefined ? {} : { size: posts }), ...(days === undefined ? {} : { days }) },
        ...(rate === undefined ? {} : { firehoseRate: rate }),
        enforceQps: values['enforce-qps'] ?? file.enforceQps ?? false,
      },
      ...(quiet ? {} : { logger: (line: string) => out.log(line) }),
    });
    try {
      const imported =
        importPostsList === undefined ? undefined : await importPosts(server.url, importPostsList, importFile!);
      const account = accounts[0]!;
      const tenant = tenants[0]!;
      const info = {
        url: server.url,
        version: EMULATOR_VERSION,
        dataDir,
        ...(imported === undefined ? {} : { imported }),
        insight: { baseUrl: server.url, accounts },
        byteair: { hosts: [server.url], tenants },
        control: `${server.url}/_insight/`,
      };
      const { style } = out;
      out.result(info, () => [
        `${style.green('✓')} Insight emulator ${EMULATOR_VERSION} listening on ${style.bold(server.url)}`,
        `  data      ${dataDir === ':memory:' ? 'in memory (lost on exit)' : `${dataDir} (persistent)`}`,
        ...(imported === undefined ? [] : [`  imported  ${formatCount(imported)} posts from ${importFile}`]),
        `  control   ${server.url}/_insight/health · state · requests · faults · seed · reset`,
        '',
        style.bold('Content Insight'),
        `  export INSIGHT_BASE_URL=${server.url} INSIGHT_BIZ_NAME=${account.bizName} INSIGHT_BIZ_SECRET=${account.secret}`,
        style.bold('ByteAir'),
        `  export BYTEAIR_HOSTS=${server.url} BYTEAIR_TENANT_ID=${tenant.tenantId} BYTEAIR_APPLICATION_ID=demo-app \\`,
        `         ${tenant.token !== undefined ? `BYTEAIR_TOKEN=${tenant.token}` : `BYTEAIR_ACCESS_KEY=${tenant.accessKey} BYTEAIR_SECRET_KEY=${tenant.secretKey}`}`,
        '',
        style.dim('Press Ctrl+C to stop.'),
      ]);
      await new Promise<void>((done) => {
        if (ctx.signal.aborted) done();
        else ctx.signal.addEventListener('abort', () => done(), { once: true });
      });
    } finally {
      await server.close();
    }
    out.log('emulator stopped');
    return EXIT_CODES.OK;
  },
});

/** `insight serve` is a single command. */
export const commands: CommandModule['commands'] = [serveCommand];

/** One post of an import file, as JSON text, and its line. */
interface ImportedPost {
  readonly line: number;
  readonly json: string;
}

/**
 * The posts of a JSONL file: one `item_doc` per line, or an envelope holding one, so that what `insight backtrack
 * consume` wrote can be served again.
 */
async function readPosts(path: string, { io }: CommandContext): Promise<ImportedPost[]> {
  const posts: ImportedPost[] = [];
  for await (const { line, value } of readJsonLines(path, io)) {
    const post = postOf(value);
    if (post === undefined) throw invalidInput(`${path} line ${line}: a post must be a JSON object`);
    posts.push({ line, json: JSON.stringify(post) });
  }
  return posts;
}

/** Most bytes of one seed request: well below the emulator's cap on a request body, whatever the posts weigh. */
const IMPORT_CHUNK_BYTES = DEFAULT_BODY_BYTES / 4;

/**
 * Sends posts to the emulator's control plane, which validates and stores them, in requests of at most
 * {@link IMPORT_CHUNK_BYTES} (a post larger than that goes alone).
 */
async function importPosts(url: string, posts: readonly ImportedPost[], source: string): Promise<number> {
  let imported = 0;
  let chunk: ImportedPost[] = [];
  let chunkBytes = 0;
  const send = async () => {
    if (chunk.length === 0) return;
    const lines = `lines ${chunk[0]!.line}-${chunk.at(-1)!.line}`;
    const response = await fetch(`${url}/_insight/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"module":"insight","posts":[${chunk.map((post) => post.json).join(',')}]}`,
    });
    const body = (await response.json().catch(() => ({}))) as {
      result?: { imported?: number };
      error?: { message?: string };
    };
    if (!response.ok) {
      throw invalidInput(`cannot import ${source} (${lines}): ${body.error?.message ?? `HTTP ${response.status}`}`);
    }
    imported += body.result?.imported ?? 0;
    chunk = [];
    chunkBytes = 0;
  };
  for (const post of posts) {
    const bytes = Buffer.byteLength(post.json) + 1;
    if (chunkBytes + bytes > IMPORT_CHUNK_BYTES) await send();
    chunk.push(post);
    chunkBytes += bytes;
  }
  await send();
  return imported;
}

/** Accounts from `--account name:secret`, else the environment, else the config file, else the demo account. */
function resolveAccounts(flags: string[] | undefined, { io, config }: CommandContext) {
  if (flags !== undefined) {
    return flags.map((flag) => {
      const at = flag.indexOf(':');
      if (at <= 0 || at === flag.length - 1) throw usageError(`--account: '${flag}' is not name:secret`);
      return { bizName: flag.slice(0, at), secret: flag.slice(at + 1) };
    });
  }
  const { INSIGHT_BIZ_NAME: bizName, INSIGHT_BIZ_SECRET: secret } = io.env;
  if (bizName && secret) return [{ bizName, secret }];
  return config.serve?.accounts ?? [DEFAULT_ACCOUNT];
}

/** Tenants from `--tenant`, else the environment, else the config file, else the emulator's demo tenant. */
function resolveTenants(flags: string[] | undefined, { io, config }: CommandContext): ByteAirTenant[] {
  if (flags !== undefined) {
    return flags.map((flag) => {
      const parts = flag.split(':');
      if (parts.some((p) => p === '') || (parts.length !== 2 && parts.length !== 3)) {
        throw usageError(`--tenant: '${flag}' is not id:token or id:accessKey:secretKey`);
      }
      const [tenantId, first, second] = parts as [string, string, string | undefined];
      return second === undefined ? { tenantId, token: first } : { tenantId, accessKey: first, secretKey: second };
    });
  }
  const env = io.env;
  if (env.BYTEAIR_TENANT_ID && (env.BYTEAIR_TOKEN || (env.BYTEAIR_ACCESS_KEY && env.BYTEAIR_SECRET_KEY))) {
    return [
      {
        tenantId: env.BYTEAIR_TENANT_ID,
        ...(env.BYTEAIR_TOKEN ? { token: env.BYTEAIR_TOKEN } : {}),
        ...(env.BYTEAIR_ACCESS_KEY && env.BYTEAIR_SECRET_KEY
          ? { accessKey: env.BYTEAIR_ACCESS_KEY, secretKey: env.BYTEAIR_SECRET_KEY }
          : {}),
      },
    ];
  }
  return config.serve?.tenants ?? [{ ...DEFAULT_TENANT }];
}

/** A number flag within bounds: at least 0 (more than 0 when `positive`), at most `max`. */
function parseNumber(
  value: string | undefined,
  flag: string,
  rule: { integer?: boolean; positive?: boolean; max?: number },
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok =
    value.trim() !== '' &&
    Number.isFinite(n) &&
    (rule.positive ? n > 0 : n >= 0) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.max === undefined || n <= rule.max);
  if (!ok) {
    const what = rule.integer ? 'a whole number' : 'a number';
    const bounds = `${rule.positive ? '> 0' : '≥ 0'}${rule.max === undefined ? '' : ` and ≤ ${rule.max}`}`;
    throw usageError(`${flag}: '${value}' is not ${what} ${bounds}`);
  }
  return n;
}

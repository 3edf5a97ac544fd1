import { z } from 'zod';
import { EMULATOR_VERSION } from '../version.js';
import { EmulatorError } from './errors.js';
import type { FaultSet } from './faults.js';
import { jsonReply } from './http.js';
import type { EmulatorModule } from './module.js';
import type { RequestLog } from './request-log.js';
import type { Router } from './router.js';

/** Path prefix of the control plane; fault rules never apply under it. */
export const CONTROL_PREFIX = '/_insight/';

/** Module name of the control plane's routes in the request log. */
export const CONTROL_MODULE = 'control';

/** What the control plane acts on. */
export interface ControlPlaneDeps {
  modules: readonly EmulatorModule[];
  faults: FaultSet;
  requests: RequestLog;
  /** Server start time on the wall clock, ms. */
  startedAt: number;
  /** Forgets all state: modules, fault rules and the request log. */
  reset(): void;
}

const requestsQuerySchema = z.strictObject({
  path: z.string().min(1).optional(),
  method: z.string().min(1).optional(),
  status: z.coerce.number().int().min(0).max(599).optional(),
  limit: z.coerce.number().int().positive().optional(),
});

const moduleQuerySchema = z.strictObject({ module: z.string().min(1).optional() });

/** Registers `/_insight/health`, `reset`, `state`, `requests`, `faults` and `seed`; every answer is JSON. */
export function registerControlPlane(router: Router, deps: ControlPlaneDeps): void {
  const findModule = (name: string): EmulatorModule => {
    const module = deps.modules.find((m) => m.name === name);
    if (!module) throw new EmulatorError(404, `unknown module "${name}"; known: ${moduleNames(deps.modules)}`);
    return module;
  };

  router.get('/_insight/health', () =>
    jsonReply({
      status: 'ok',
      version: EMULATOR_VERSION,
      modules: deps.modules.map((m) => m.name),
      uptimeMs: Date.now() - deps.startedAt,
    }),
  );

  router.post('/_insight/reset', () => {
    deps.reset();
    return jsonReply({ reset: true });
  });

  router.get('/_insight/state', (req) => {
    const { module } = parseQuery(moduleQuerySchema, req.query);
    const selected = module === undefined ? deps.modules : [findModule(module)];
    const modules = Object.fromEntries(selected.map((m) => [m.name, m.state?.() ?? null]));
    return jsonReply({ version: EMULATOR_VERSION, modules });
  });

  router.get('/_insight/requests', (req) => {
    const filter = parseQuery(requestsQuerySchema, req.query);
    return jsonReply({ requests: deps.requests.list(filter) });
  });

  router.get('/_insight/faults', () => jsonReply({ faults: deps.faults.list() }));

  router.post('/_insight/faults', async (req) => {
    const body = await req.json();
    try {
      return jsonReply({ fault: deps.faults.add(body) }, 201);
    } catch (error) {
      throw new EmulatorError(400, `invalid fault rule: ${describeError(error)}`, { cause: error });
    }
  });

  router.delete('/_insight/faults', () => {
    const removed = deps.faults.list().length;
    deps.faults.clear();
    return jsonReply({ removed });
  });

  router.delete('/_insight/faults/:id', (req) => {
    const id = req.params.id as string;
    if (!deps.faults.remove(id)) throw new EmulatorError(404, `no fault rule "${id}"`);
    return jsonReply({ removed: 1 });
  });

  router.post('/_insight/seed', async (req) => {
    const body = await req.json();
    const name = typeof body === 'object' && body !== null ? (body as { module?: unknown }).module : undefined;
    if (typeof name !== 'string') {
      throw new EmulatorError(400, `body.module must name a module (${moduleNames(deps.modules)})`);
    }
    const module = findModule(name);
    if (!module.seed) throw new EmulatorError(400, `module "${name}" cannot be seeded`);
    return jsonReply({ module: name, result: module.seed(body) ?? null });
  });
}

function parseQuery<T extends z.ZodType>(schema: T, query: URLSearchParams): z.output<T> {
  const parsed = schema.safeParse(Object.fromEntries(query));
  if (!parsed.success) throw new EmulatorError(400, `invalid query: ${describeError(parsed.error)}`);
  return parsed.data;
}

/** One line naming each invalid path and the rule it breaks. */
export function describeError(error: unknown): string {
  if (error instanceof z.ZodError) {
    return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}

function moduleNames(modules: readonly EmulatorModule[]): string {
  return modules.map((m) => m.name).join(', ') || 'none';
}

import type { EmulatorError } from './errors.js';
import type { EmulatorRequest, Reply } from './http.js';

/** Handles the requests of one route. Throw an `EmulatorError` to answer an error in the route's format. */
export type Handler = (req: EmulatorRequest) => Reply | Promise<Reply>;

/** Renders an error (thrown, injected by a fault rule, or a refused body) as a reply in the service's format. */
export type ErrorRenderer = (error: EmulatorError, req: EmulatorRequest) => Reply;

/** Per-route settings. */
export interface RouteOptions {
  /** Overrides the module's `renderError` for this route. */
  renderError?: ErrorRenderer;
}

/** Where a module adds its routes. Patterns are paths whose `:name` segments capture a parameter. */
export interface Router {
  /** Adds a route; a static segment wins over a `:param` segment at the same place, whatever the order of calls. */
  add(method: string, pattern: string, handler: Handler, options?: RouteOptions): void;
  /** Shorthand for `add('GET', …)`. */
  get(pattern: string, handler: Handler, options?: RouteOptions): void;
  /** Shorthand for `add('POST', …)`. */
  post(pattern: string, handler: Handler, options?: RouteOptions): void;
  /** Shorthand for `add('PUT', …)`. */
  put(pattern: string, handler: Handler, options?: RouteOptions): void;
  /** Shorthand for `add('DELETE', …)`. */
  delete(pattern: string, handler: Handler, options?: RouteOptions): void;
}

/** A registered route. */
export interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly module: string;
  readonly handler: Handler;
  readonly renderError: ErrorRenderer | undefined;
  readonly segments: readonly string[];
  /** Static segments count first when several routes match. */
  readonly specificity: number;
}

/** The outcome of looking a request up. */
export type RouteLookup =
  | { found: true; route: Route; params: Record<string, string> }
  | { found: false; allowedMethods: string[] };

/** The route table of a server, shared by all modules. */
export interface RouteTable {
  /** A {@link Router} whose routes belong to `module` and fall back to its error renderer. */
  forModule(module: string, renderError?: ErrorRenderer): Router;
  /**
   * Finds the route for a request. `allowedMethods` lists the methods the path answers to when none matched its method.
   *
   * @throws URIError when a captured segment is not valid percent-encoding.
   */
  lookup(method: string, path: string): RouteLookup;
}

/** Creates an empty {@link RouteTable}. */
export function createRouteTable(): RouteTable {
  const routes: Route[] = [];

  function forModule(module: string, moduleRenderError?: ErrorRenderer): Router {
    const add = (method: string, pattern: string, handler: Handler, options?: RouteOptions): void => {
      if (!pattern.startsWith('/')) throw new Error(`route pattern must start with "/": ${pattern}`);
      const segments = pattern.split('/').slice(1);
      const upper = method.toUpperCase();
      if (routes.some((r) => r.method === upper && r.pattern === pattern)) {
        throw new Error(`route ${upper} ${pattern} is already registered`);
      }
      routes.push({
        method: upper,
        pattern,
        module,
        handler,
        renderError: options?.renderError ?? moduleRenderError,
        segments,
        specificity: segments.filter((s) => !s.startsWith(':')).length,
      });
      routes.sort((a, b) => b.specificity - a.specificity);
    };
    return {
      add,
      get: (pattern, handler, options) => add('GET', pattern, handler, options),
      post: (pattern, handler, options) => add('POST', pattern, handler, options),
      put: (pattern, handler, options) => add('PUT', pattern, handler, options),
      delete: (pattern, handler, options) => add('DELETE', pattern, handler, options),
    };
  }

  function lookup(method: string, path: string): RouteLookup {
    const segments = path.split('/').slice(1);
    const allowedMethods = new Set<string>();
    for (const route of routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method) return { found: true, route, params };
      allowedMethods.add(route.method);
    }
    return { found: false, allowedMethods: [...allowedMethods] };
  }

  return { forModule, lookup };
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string;
    const segment = actual[i] as string;
    if (expected.startsWith(':')) {
      if (segment === '') return undefined;
      params[expected.slice(1)] = decodeURIComponent(segment);
    } else if (expected !== segment) {
      return undefined;
    }
  }
  return params;
}

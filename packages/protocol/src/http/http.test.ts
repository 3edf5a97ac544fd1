import { describe, expect, it } from 'vitest';
import { byteAirPaths, INSIGHT_ENDPOINTS, INSIGHT_PATHS, PING } from './paths.js';

describe('ByteAir paths', () => {
  it('builds the documented paths', () => {
    expect(byteAirPaths.predict('app-1')).toBe('/predict/api/app-1/default');
    expect(byteAirPaths.predict('app-1', 'home_feed')).toBe('/predict/api/app-1/home_feed');
    expect(byteAirPaths.callback('app-1')).toBe('/predict/api/app-1/callback');
    expect(byteAirPaths.writeData('app-1', 'item')).toBe('/data/api/app-1/item?method=write');
    expect(byteAirPaths.done('app-1', 'item')).toBe('/data/api/app-1/done?topic=item');
    expect(PING).toBe('/predict/api/ping');
  });

  it('escapes segments and refuses empty ones', () => {
    expect(byteAirPaths.predict('a/b', 'x y')).toBe('/predict/api/a%2Fb/x%20y');
    expect(byteAirPaths.done('a', 'u&v')).toBe('/data/api/a/done?topic=u%26v');
    expect(() => byteAirPaths.callback('')).toThrow(/app must not be empty/);
    expect(() => byteAirPaths.writeData('a', '')).toThrow(/topic/);
  });
});

describe('Content Insight endpoints', () => {
  it('exposes each path by name, unique and rooted', () => {
    const paths = Object.values(INSIGHT_PATHS);
    expect(new Set(paths).size).toBe(paths.length);
    for (const [name, path] of Object.entries(INSIGHT_PATHS)) {
      expect(path).toBe(INSIGHT_ENDPOINTS[name as keyof typeof INSIGHT_ENDPOINTS].path);
      expect(path).toMatch(/^\/(oauth|openapi)\/[a-z_/]+$/);
    }
  });

  it('carries the documented QPS limits', () => {
    const qps = Object.fromEntries(
      Object.entries(INSIGHT_ENDPOINTS).flatMap(([name, e]) => ('qps' in e ? [[name, e.qps]] : [])),
    );
    expect(qps).toEqual({
      accessToken: 5,
      realtimeCreate: 5,
      realtimeUpdate: 5,
      sensitiveWordsCheck: 10,
      search: 20,
      realtimeStream: 200,
      backtrackStream: 50,
    });
  });
});

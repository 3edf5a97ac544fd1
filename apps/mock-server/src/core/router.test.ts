import { describe, expect, it } from 'vitest';
import { jsonReply } from './http.js';
import { createRouteTable } from './router.js';

const ok = () => jsonReply({});

describe('route table', () => {
  it('captures and decodes params, preferring static segments whatever the registration order', () => {
    const table = createRouteTable();
    const router = table.forModule('m');
    router.post('/predict/api/:app/:scene', ok);
    router.post('/predict/api/:app/callback', ok);
    const callback = table.lookup('POST', '/predict/api/my%20app/callback');
    expect(callback).toMatchObject({ found: true, route: { pattern: '/predict/api/:app/callback', module: 'm' } });
    expect(callback.found && callback.params).toEqual({ app: 'my app' });
    const scene = table.lookup('POST', '/predict/api/a/home');
    expect(scene.found && scene.params).toEqual({ app: 'a', scene: 'home' });
  });

  it('reports the allowed methods of a known path, and nothing for an unknown one', () => {
    const table = createRouteTable();
    table.forModule('m').get('/ping', ok);
    expect(table.lookup('POST', '/ping')).toEqual({ found: false, allowedMethods: ['GET'] });
    expect(table.lookup('GET', '/pong')).toEqual({ found: false, allowedMethods: [] });
    expect(table.lookup('GET', '/ping/')).toEqual({ found: false, allowedMethods: [] });
  });

  it('does not match an empty param segment', () => {
    const table = createRouteTable();
    table.forModule('m').get('/a/:id', ok);
    expect(table.lookup('GET', '/a/').found).toBe(false);
  });

  it('refuses a duplicate route and a pattern without a leading slash', () => {
    const table = createRouteTable();
    const router = table.forModule('m');
    router.get('/x', ok);
    expect(() => table.forModule('other').get('/x', ok)).toThrow(/already registered/);
    expect(() => router.get('x', ok)).toThrow(/must start with/);
  });

  it('throws URIError on malformed percent-encoding in a param', () => {
    const table = createRouteTable();
    table.forModule('m').get('/a/:id', ok);
    expect(() => table.lookup('GET', '/a/%E0%A4%A')).toThrow(URIError);
  });
});

import { ApiError, type AttemptInfo, type ByteAirClient, createByteAirClient } from '@insight/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockServer } from '../src/index.js';
import { AIR_TENANT, addFault, byteAirState, startByteAir } from './support/byteair.js';

let server: MockServer;
let client: ByteAirClient;
let attempts: AttemptInfo[];

beforeAll(async () => {
  server = await startByteAir();
  client = createByteAirClient({
    tenantId: AIR_TENANT.tenantId,
    applicationId: 'shop',
    hosts: [`127.0.0.1:${server.port}`],
    scheme: 'http',
    auth: { token: AIR_TENANT.token },
    onAttempt: (info) => attempts.push(info),
  });
});
afterAll(async () => {
  await client.close();
  await server.close();
});
beforeEach(async () => {
  attempts = [];
  await server.reset();
});

describe('what the client makes of the emulator’s answers', () => {
  it('resolves a write that refused some rows with the rows refused, the others applied', async () => {
    const response = await client.writeData([{ id: 'good' }, { title: 'no id' }, { id: 'also-good' }], {
      topic: 'item',
    });
    expect(response.status).toMatchObject({
      code: 400,
      success: false,
      message: '1 of 3 rows were refused; see errors',
    });
    expect(response.errors.map((e) => [e.message.slice(0, 4), e.data])).toEqual([['[1]:', '{"title":"no id"}']]);
    expect((await byteAirState<{ items: Record<string, number> }>(server)).items).toEqual({ shop: 2 });
    expect(attempts.map((a) => a.code)).toEqual([400]);
  });

  it('keeps the message of a refusal as the service gave it', async () => {
    await addFault(server, {
      route: 'POST /predict/api/*/callback',
      status: 400,
      code: 400,
      message: 'uid u1 is not allowed',
      times: 1,
    });
    const error = await client.callback({ uid: 'u1', items: [{ id: 'x', pos: '1' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 400, serviceMessage: 'uid u1 is not allowed' });
    expect((error as ApiError).message).toBe('ByteAir answered HTTP 400 code 400: uid u1 is not allowed');
  });

  it('reports the code of every answer it accepts: 0 when applied now, 409 when applied before', async () => {
    const delivery = { uid: 'u1', scene: 'home', items: [{ id: 'x', pos: '1' }] };
    await client.callback(delivery, { requestId: 'cb-once' });
    await client.callback(delivery, { requestId: 'cb-once', replay: true });
    expect(attempts.map((a) => [a.route, a.status, a.code])).toEqual([
      ['byteair.callback', 200, 0],
      ['byteair.callback', 200, 409],
    ]);
  });
});

// The emulator under benchmark, in its own process so that its CPU time is not charged to the client being measured.
// Sends `{ port }` to the parent once listening; exits when the parent disconnects.
import { createMockServer } from '@insight/mock-server';

const tenant = JSON.parse(process.argv[2]!) as { tenantId: string; accessKey: string; secretKey: string };
const server = await createMockServer({ tenants: [tenant], insight: { corpus: { size: 0 }, firehoseRate: 0 } });
process.send!({ port: server.port });
process.on('disconnect', () => {
  void server.close().then(() => process.exit(0));
});

// The emulator under benchmark, in its own process so that its CPU time is not charged to the client being measured.
// argv[2]: `createMockServer` options as JSON. Sends `{ port }` to the parent once listening; exits when the parent
// disconnects.
import { createMockServer, type MockServerOptions } from '@insight/mock-server';

const options = JSON.parse(process.argv[2] ?? '{}') as MockServerOptions;
const server = await createMockServer(options);
process.send!({ port: server.port });
process.on('disconnect', () => {
  void server.close().then(() => process.exit(0));
});

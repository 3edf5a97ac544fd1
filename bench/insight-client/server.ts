// The emulator under benchmark, in its own process so that its CPU time is not charged to the consumer being measured.
// argv[2]: corpus size. Sends `{ port }` to the parent once listening; exits when the parent disconnects.
import { createMockServer } from '@insight/mock-server';

const size = Number(process.argv[2]);
const server = await createMockServer({ insight: { corpus: { size, seed: 7 }, firehoseRate: 0 } });
process.send!({ port: server.port });
process.on('disconnect', () => {
  void server.close().then(() => process.exit(0));
});

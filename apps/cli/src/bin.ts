#!/usr/bin/env node
import { EXIT_CODES } from './errors.js';
import { main } from './main.js';

// A reader that goes away (`insight search … | head -1`) ends the command quietly: there is no one left to tell.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_CODES.OK);
    throw error;
  });
}

// `main` handles signals while the command runs. Once it has ended, a signal while the process winds down (closing
// sockets) ends it with the command's exit code instead of killing it.
let ended = false;
const onSignal = () => {
  if (ended) process.exit();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await main(process.argv.slice(2));
ended = true;

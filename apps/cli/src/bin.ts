#!/usr/bin/env node
import { EXIT_CODES } from './errors.js';
import { main } from './main.js';

// A reader of the results that goes away (`insight search … | head -1`) ends the command quietly: there is no one
// left to tell. A reader of the logs that goes away does not stop the work (a consumer writing its file): the logs
// are dropped.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_CODES.OK);
  throw error;
});
process.stderr.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

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

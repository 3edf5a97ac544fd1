import { readFileSync } from 'node:fs';

/** Version of the emulator, read from its package.json; sent on every response as `X-Insight-Emulator-Version`. */
export const EMULATOR_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

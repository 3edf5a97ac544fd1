import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

describe('EMULATOR_VERSION', () => {
  it('is the version of the package.json next to the sources, read when the module loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-version-'));
    try {
      mkdirSync(join(dir, 'src'));
      const source = join(dir, 'src', 'version.ts');
      copyFileSync(fileURLToPath(new URL('./version.ts', import.meta.url)), source);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', version: '9.8.7' }));
      const script = `const { EMULATOR_VERSION } = await import(${JSON.stringify(pathToFileURL(source).href)});
process.stdout.write(EMULATOR_VERSION);`;
      const printed = execFileSync(process.execPath, ['--import', TSX, '--input-type=module', '--eval', script], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(printed).toBe('9.8.7');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

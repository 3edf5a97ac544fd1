import { WriteResponse } from '@insight/protocol';
import { CALL_OPTIONS, openByteAirClient } from '../../clients.js';
import { defineCommand } from '../../command.js';
import { BYTEAIR_OPTIONS } from '../../config.js';
import { EXIT_CODES, invalidInput, usageError } from '../../errors.js';
import { parseJson, readInput } from '../../input.js';

/** `insight byteair write`: uploads data (items, users, behaviours) to a topic. */
export const writeCommand = defineCommand({
  name: 'byteair write',
  summary: 'Write data rows (a JSON array or JSONL) to a topic',
  usage: '--topic <topic> [--file <path>] [options]',
  description: 'Reads the rows from --file, or stdin. Exits 4 when the service rejects any row.',
  options: {
    topic: { type: 'string', placeholder: '<topic>', description: 'The data topic: item, user, behavior, …' },
    file: {
      type: 'string',
      short: 'f',
      placeholder: '<path>',
      description: "The rows: a JSON array or JSONL ('-' = stdin)",
    },
    date: { type: 'string', placeholder: '<YYYY-MM-DD>', description: 'The day the data belongs to (Content-Date)' },
    end: { type: 'boolean', description: "This is the day's last batch (Content-End)" },
    ...BYTEAIR_OPTIONS,
    ...CALL_OPTIONS,
  },
  maxPositionals: 0,
  examples: [
    'insight byteair write --topic item --file items.jsonl',
    `echo '[{"id":"item-1","title":"Coffee grinder"}]' | insight byteair write --topic item --json`,
  ],
  async run(ctx, values) {
    if (values.topic === undefined) throw usageError('missing --topic <topic> (see: insight byteair write --help)');
    const text = await readInput(undefined, values.file, ctx.io, 'rows');
    const rows = parseRows(text, values.file ?? 'stdin');
    const client = openByteAirClient(ctx, values);
    try {
      const response = await client.writeData(rows, {
        topic: values.topic,
        date: values.date,
        end: values.end,
        signal: ctx.signal,
      });
      const failed = response.errors.filter((e) => !e.success);
      const { style } = ctx.out;
      ctx.out.result(WriteResponse.toJSON(response), () => [
        failed.length === 0
          ? `${style.green('✓')} wrote ${rows.length} rows to ${values.topic}`
          : `${style.red('✗')} ${failed.length} of ${rows.length} rows rejected`,
        ...failed.map((e) => `  ${e.message}: ${e.data}`),
      ]);
      return failed.length === 0 ? EXIT_CODES.OK : EXIT_CODES.API;
    } finally {
      await client.close();
    }
  },
});

/** Rows from a JSON array or from JSONL; each row must be an object. */
function parseRows(text: string, source: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  const rows = trimmed.startsWith('[')
    ? parseJson(trimmed, source)
    : trimmed
        .split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => line.trim() !== '')
        .map(([line, i]) => parseJson(line, `${source} line ${i + 1}`));
  if (!Array.isArray(rows) || rows.length === 0) throw invalidInput(`${source}: expected at least one row`);
  rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw invalidInput(`${source}: row ${i + 1} is not an object`);
  });
  return rows as Record<string, unknown>[];
}

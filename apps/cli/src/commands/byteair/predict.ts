import { PredictResponse } from '@insight/protocol';
import { CALL_OPTIONS, openByteAirClient, parsePositiveInt } from '../../clients.js';
import { defineCommand } from '../../command.js';
import { BYTEAIR_OPTIONS } from '../../config.js';
import { EXIT_CODES, usageError } from '../../errors.js';
import { formatDuration, table } from '../../format.js';
import { splitList } from './lists.js';

/** Items asked for when `--size` is not given. */
const DEFAULT_SIZE = 10;

/** `insight byteair predict`: recommendations for one user. */
export const predictCommand = defineCommand({
  name: 'byteair predict',
  summary: 'Ask for recommendations for a user',
  usage: '--uid <uid> [options]',
  options: {
    uid: { type: 'string', placeholder: '<uid>', description: 'The user id' },
    scene: { type: 'string', placeholder: '<scene>', description: 'The scene (default "default")' },
    size: { type: 'string', placeholder: '<n>', description: `Items to ask for (default ${DEFAULT_SIZE})` },
    filter: { type: 'string', placeholder: '<ids>', description: 'Comma-separated item ids to leave out' },
    ...BYTEAIR_OPTIONS,
    ...CALL_OPTIONS,
  },
  maxPositionals: 0,
  examples: [
    'insight byteair predict --uid user-1 --size 5',
    'BYTEAIR_HOSTS=http://127.0.0.1:8080 insight byteair predict --uid user-1 --json',
  ],
  async run(ctx, values) {
    if (values.uid === undefined) throw usageError('missing --uid <uid> (see: insight byteair predict --help)');
    const size = parsePositiveInt(values.size, '--size') ?? DEFAULT_SIZE;
    const client = openByteAirClient(ctx, values);
    try {
      const started = performance.now();
      const response = await client.predict(
        {
          user: { uid: values.uid },
          size,
          filterItems: splitList(values.filter).map((id) => ({ id })),
        },
        { scene: values.scene, signal: ctx.signal },
      );
      const ms = performance.now() - started;
      const items = response.value?.items ?? [];
      const { style } = ctx.out;
      ctx.out.result(PredictResponse.toJSON(response), () => [
        `${style.green('✓')} ${items.length} items for ${values.uid} ${style.dim(`request id ${response.requestId}, ${formatDuration(ms)}`)}`,
        ...table([[style.dim('rank'), style.dim('item')], ...items.map((item) => [String(item.rank), item.id])]).map(
          (line) => `  ${line}`,
        ),
      ]);
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});

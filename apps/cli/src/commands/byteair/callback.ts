import { buildCallbackItems } from '@insight/client';
import { CallbackResponse } from '@insight/protocol';
import { CALL_OPTIONS, openByteAirClient } from '../../clients.js';
import { defineCommand } from '../../command.js';
import { BYTEAIR_OPTIONS } from '../../config.js';
import { EXIT_CODES, usageError } from '../../errors.js';
import { splitList } from './lists.js';

/** `insight byteair callback`: reports what one delivery showed, so that later predictions leave it out. */
export const callbackCommand = defineCommand({
  name: 'byteair callback',
  summary: 'Report which recommended items were shown, inserted or filtered',
  usage: '--uid <uid> --shown <ids> [options]',
  description:
    'Sends one callback for one delivery, as the service asks: every shown item with its position, force-inserted\nitems marked "inserted", and filtered items marked "filtered".',
  options: {
    uid: { type: 'string', placeholder: '<uid>', description: 'The user id' },
    scene: { type: 'string', placeholder: '<scene>', description: 'The scene of the predict call (default "default")' },
    'predict-request-id': {
      type: 'string',
      placeholder: '<id>',
      description: 'The request id of the predict call that produced the delivery',
    },
    shown: { type: 'string', placeholder: '<ids>', description: 'Comma-separated ids in the order shown' },
    inserted: {
      type: 'string',
      placeholder: '<ids>',
      description: 'Comma-separated ids among --shown that were inserted',
    },
    filtered: {
      type: 'string',
      placeholder: '<ids>',
      description: 'Comma-separated recommended ids that were not shown',
    },
    ...BYTEAIR_OPTIONS,
    ...CALL_OPTIONS,
  },
  maxPositionals: 0,
  examples: [
    'insight byteair callback --uid user-1 --predict-request-id 5f0c… --shown item-1,item-9,item-4 --inserted item-9',
    'insight byteair callback --uid user-1 --shown item-1,item-2 --filtered item-3 --json',
  ],
  async run(ctx, values) {
    if (values.uid === undefined) throw usageError('missing --uid <uid> (see: insight byteair callback --help)');
    const shown = splitList(values.shown);
    if (shown.length === 0) throw usageError('missing --shown <ids> (see: insight byteair callback --help)');
    const items = buildCallbackItems({
      shown,
      inserted: splitList(values.inserted),
      filtered: splitList(values.filtered),
    });
    const client = openByteAirClient(ctx, values);
    try {
      const response = await client.callback(
        {
          uid: values.uid,
          scene: values.scene ?? 'default',
          items,
          ...(values['predict-request-id'] === undefined ? {} : { predictRequestId: values['predict-request-id'] }),
        },
        { signal: ctx.signal },
      );
      const { style } = ctx.out;
      ctx.out.result(CallbackResponse.toJSON(response), () => [
        `${style.green('✓')} callback accepted for ${values.uid}: ${items.length} items ${style.dim(`(code ${response.code}, ${response.message})`)}`,
      ]);
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});

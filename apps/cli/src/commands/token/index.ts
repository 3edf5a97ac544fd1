import { CALL_OPTIONS, openInsightClient } from '../../clients.js';
import { type CommandModule, defineCommand } from '../../command.js';
import { INSIGHT_OPTIONS } from '../../config.js';
import { EXIT_CODES } from '../../errors.js';

/** `insight token`: an access token in hand, for calling the API by other means. */
const tokenCommand = defineCommand({
  name: 'token',
  summary: 'Get a Content Insight access token for the configured account',
  usage: '[options]',
  description: 'Prints the token alone (with --json: {"access_token", "expire"}), so that scripts can capture it.',
  options: { ...INSIGHT_OPTIONS, ...CALL_OPTIONS },
  maxPositionals: 0,
  examples: [
    'insight token',
    'curl -H "X-Insight-Biz-Name: $INSIGHT_BIZ_NAME" -H "X-Insight-Access-Token: $(insight token)" …',
  ],
  async run(ctx, values) {
    const client = openInsightClient(ctx, values);
    try {
      const token = await client.accessToken({ signal: ctx.signal });
      const expire =
        token.expiresAt === undefined ? undefined : Math.max(0, Math.round((token.expiresAt - Date.now()) / 1000));
      ctx.out.result({ access_token: token.accessToken, expire }, (t) => t.access_token);
      return EXIT_CODES.OK;
    } finally {
      await client.close();
    }
  },
});

/** `insight token` is a single command. */
export const commands: CommandModule['commands'] = [tokenCommand];

import { fetchAccessToken } from '../../access-token.js';
import { type CommandModule, defineCommand } from '../../command.js';
import { INSIGHT_OPTIONS, resolveInsightSettings } from '../../config.js';
import { EXIT_CODES } from '../../errors.js';

/** `insight token`: an access token in hand, for calling the API by other means. */
const tokenCommand = defineCommand({
  name: 'token',
  summary: 'Get a Content Insight access token for the configured account',
  usage: '[options]',
  description: 'Prints the token alone (with --json: {"access_token", "expire"}), so that scripts can capture it.',
  options: { ...INSIGHT_OPTIONS },
  maxPositionals: 0,
  examples: [
    'insight token',
    'curl -H "X-Insight-Biz-Name: $INSIGHT_BIZ_NAME" -H "X-Insight-Access-Token: $(insight token)" …',
  ],
  async run(ctx, values) {
    const settings = resolveInsightSettings(values, ctx.config, ctx.io.env);
    const token = await fetchAccessToken(settings, ctx.signal);
    ctx.out.result({ access_token: token.accessToken, expire: token.expiresIn }, (t) => t.access_token);
    return EXIT_CODES.OK;
  },
});

/** `insight token` is a single command. */
export const commands: CommandModule['commands'] = [tokenCommand];

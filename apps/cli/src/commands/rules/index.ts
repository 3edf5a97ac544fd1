import type { CommandModule } from '../../command.js';
import { checkCommand } from './check.js';
import { explainCommand } from './explain.js';
import { fmtCommand } from './fmt.js';
import { testCommand } from './test.js';

/** `insight rules …`: the rule language, offline. */
export const commands: CommandModule['commands'] = [checkCommand, fmtCommand, explainCommand, testCommand];

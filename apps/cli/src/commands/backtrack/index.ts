import type { CommandModule } from '../../command.js';
import { consumeCommand } from './consume.js';
import { createCommand } from './create.js';
import { previewCommand } from './preview.js';
import { statusCommand } from './status.js';
import { waitCommand } from './wait.js';

/** `insight backtrack …`: tasks over the past 90 days. */
export const commands: CommandModule['commands'] = [
  previewCommand,
  createCommand,
  statusCommand,
  waitCommand,
  consumeCommand,
];

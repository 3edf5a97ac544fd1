import type { CommandModule } from '../../command.js';
import { callbackCommand } from './callback.js';
import { predictCommand } from './predict.js';
import { writeCommand } from './write.js';

/** `insight byteair …`: the recommendation API. */
export const commands: CommandModule['commands'] = [predictCommand, callbackCommand, writeCommand];

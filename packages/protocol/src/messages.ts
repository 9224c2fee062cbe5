// zod/mini: the config is zod's one global, shared with classic zod, and the Edge Agent must not load classic zod.
import { en } from 'zod/locales';
import * as z from 'zod/mini';

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return typeof input === 'object' ? 'an object' : `${typeof input} ${JSON.stringify(input)?.slice(0, 40)}`;
}

/**
 * Validation messages in the project's voice ("must …"), shared by every package that parses
 * with these schemas, so API errors, CLI errors and UI errors say the same thing.
 */
export function installValidationMessages(): void {
  // English for the codes below that fall through (classic zod sets it on first use; zod/mini never does).
  z.config(en());
  z.config({
    customError: (iss) => {
      switch (iss.code) {
        case 'invalid_type':
          if (typeof iss.input === 'number' && Number.isNaN(iss.input)) return 'must be a number';
          return iss.input === undefined ? `is required (${iss.expected})` : `must be ${iss.expected}, not ${describeInput(iss.input)}`;
        case 'too_big':
          if (iss.origin === 'string') return `must be at most ${String(iss.maximum)} characters`;
          if (iss.origin === 'array') return `must have at most ${String(iss.maximum)} items`;
          return iss.inclusive === false ? `must be less than ${String(iss.maximum)}` : `must be at most ${String(iss.maximum)}`;
        case 'too_small':
          if (iss.origin === 'string') return Number(iss.minimum) === 1 ? 'must not be empty' : `must be at least ${String(iss.minimum)} characters`;
          if (iss.origin === 'array') return `must have at least ${String(iss.minimum)} items`;
          return iss.inclusive === false ? `must be greater than ${String(iss.minimum)}` : `must be at least ${String(iss.minimum)}`;
        case 'invalid_value':
          return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
        default:
          return undefined;
      }
    },
  });
}

installValidationMessages();

// Expected normalizations of the valid corpus (see valid-corpus.test.ts), shared by expect-*.ts.
import type { ComposeProject, ServiceSpec } from '../model.ts';

export interface Expectation {
  profiles?: string[];
  /** Warnings the case is meant to produce (substrings); any other warning fails. */
  warnings?: string[];
  check: (p: ComposeProject) => void;
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
export const svc = (p: ComposeProject, name: string): ServiceSpec => {
  const s = p.services[name];
  if (s === undefined) throw new Error(`no service ${name}`);
  return s;
};
export const MiB = 1024 * 1024;

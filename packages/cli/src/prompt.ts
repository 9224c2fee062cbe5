// Reading a secret from the terminal without echoing it, and yes/no confirmations.
import readline from 'node:readline';
import { CliError } from './errors.ts';

/** True when questions can be asked: stdin is a terminal. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true;
}

/** Asks `question` on stderr and reads one line from stdin; true only for y or yes (end of input: no). */
export function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => {
    let answered = false;
    rl.on('SIGINT', () => {
      // readline caught Ctrl-C: give the terminal back, then die of SIGINT as the user asked.
      rl.close();
      process.kill(process.pid, 'SIGINT');
    });
    rl.on('close', () => {
      if (answered) return;
      process.stderr.write('\n');
      resolve(false);
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}

/** Asks `question` on stderr and reads one line from the stdin TTY with echo off. */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  if (!input.isTTY)
    return Promise.reject(new CliError('cannot prompt for a password: stdin is not a terminal'));
  output.write(question);
  return new Promise((resolve) => {
    let value = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          // Raw mode swallowed Ctrl-C: restore the terminal, then die of SIGINT as the user asked.
          finish();
          process.kill(process.pid, 'SIGINT');
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else if (!/\p{Cc}/u.test(ch)) value += ch;
      }
    };
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}

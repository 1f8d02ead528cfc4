import { createInterface } from 'node:readline';
import type { Io } from './context.js';

/** One line from a pipe (no confirmation); on a terminal, a hidden prompt asked twice. */
export async function readPassword(io: Io): Promise<string | undefined> {
  if (!io.stdin.isTTY) return readLine(io.stdin);
  const first = await promptHidden('New owner password: ');
  const second = await promptHidden('Repeat the password: ');
  if (first !== second) {
    io.err('clipgate: the passwords do not match');
    return undefined;
  }
  return first;
}

function readLine(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: stream, terminal: false });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      resolve(line.replace(/\r$/, ''));
    });
    rl.once('close', () => {
      if (!done) resolve(undefined);
    });
  });
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    // Suppress echo: readline writes typed characters through _writeToOutput.
    const anyRl = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stdout.write(question);
    anyRl._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

/**
 * A command in a pseudo-terminal, driven as a user would: `script` (util-linux) gives it a terminal,
 * the test waits for what it shows and types keys. Output is kept without terminal escapes.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Terminal {
  /** Everything shown so far, escape sequences removed. */
  screen(): string;
  /** Waits until what is shown after the last match matches `pattern`; fails after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  type(keys: string): void;
  /** The exit code, once the command ends. */
  exited: Promise<number | null>;
  child: ChildProcess;
}

export const keys = { enter: '\r', ctrlC: '\x03', backspace: '\x7f' };

export function terminal(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Terminal {
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let raw = '';
  child.stdout?.on('data', (chunk) => {
    raw += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    raw += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // CSI sequences (colours, cursor moves: ESC, then [) and the carriage returns of redraws.
  const csi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
  const screen = () => raw.replace(csi, '').replace(/\r/g, '');
  let seen = 0;
  return {
    child,
    exited,
    screen,
    type: (text: string) => child.stdin?.write(text),
    async waitFor(pattern: RegExp, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const shown = screen();
        const match = pattern.exec(shown.slice(seen));
        if (match) {
          seen += match.index + match[0].length;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`the terminal never showed ${pattern} (after ${seen} characters):\n${screen().slice(seen)}`);
    },
  };
}

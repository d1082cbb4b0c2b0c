import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { linesOf } from '../support.js';

/** The built `good-redis` executable. */
export const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

/** What a finished run printed and how it ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `good-redis args…` as a child process and waits for it to end.
 *
 * @param args - the arguments
 * @param env - its whole environment
 * @param input - written to its standard input, which is then closed
 */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv, input = ''): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const run = collect(child);
  child.stdin.end(input);
  return run;
}

/**
 * Runs `good-redis args…` on a pseudo-terminal, through util-linux `script` (part of every
 * Debian system), so that its standard streams are a TTY.
 *
 * @param args - the arguments (no shell quoting needed: each is quoted here)
 * @param env - its whole environment
 * @param input - typed on the terminal
 */
export async function runCliOnTerminal(args: readonly string[], env: NodeJS.ProcessEnv, input = ''): Promise<CliRun> {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: { ...env, TERM: 'xterm', COLUMNS: '100', LINES: '30' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const run = collect(child);
  child.stdin.end(input);
  return run;
}

/** A `good-redis` process that keeps running, with its output as it comes. */
export interface CliProcess {
  process: ChildProcess;
  /** Complete stdout lines so far. */
  lines: string[];
  /** All of stderr so far. */
  stderr: () => string;
  /** Resolves when it exits, with its code. */
  exited: Promise<CliRun>;
}

/**
 * Starts `good-redis args…` without waiting for it.
 *
 * @param args - the arguments
 * @param env - its whole environment
 */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = linesOf(child.stdout);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<CliRun>((resolve) => {
    child.on('close', (code) => {
      resolve({ code, stdout: lines.join('\n'), stderr });
    });
  });
  return { process: child, lines, stderr: () => stderr, exited };
}

function collect(child: ChildProcess): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Asserts-friendly: the one line of stderr, or a failure message that shows all of it. */
export function oneLine(text: string): string {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got ${String(lines.length)}:\n${text}`);
  return lines[0] ?? '';
}

#!/usr/bin/env node
/**
 * The `good-redis` executable: runs the command line and exits with its code.
 *
 * @module
 */
import { runCli } from './program.js';

// Output piped into a command that stopped reading (`good-redis streams | head`) is not an error.
for (const out of [process.stdout, process.stderr]) {
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

// The command is done and its connection closed. ioredis can leave a timer behind after a
// failed first connection (its disconnectTimeout for a socket that never opened): it must not
// hold the exit. The timer is unref'd, so a process with nothing left exits before it fires.
setTimeout(() => {
  process.exit();
}, 200).unref();

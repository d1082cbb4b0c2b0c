/**
 * `good-redis workers`, `good-redis pause` and `good-redis resume`: the live Workers of every
 * family under the prefix (the worker registry their heartbeats keep), and the flag that pauses
 * an object's consumption by every one of them.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { isObjectFamily, OBJECT_FAMILIES, type ObjectFamily } from '../../../observe/families.js';
import { WorkerRegistry } from '../../../observe/worker-registry.js';
import { printJson, println, usage } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { quoted, table } from '../../format.js';

/** Checks a family argument. */
function checkFamily(value: string): ObjectFamily {
  if (!isObjectFamily(value)) throw usage(`the family must be one of ${OBJECT_FAMILIES.join(', ')}, got ${quoted(value)}`);
  return value;
}

/** Builds `good-redis workers`. */
export function workersCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('workers')
    .description('list the live Workers of every family (alive first: what each consumes and runs) and the paused objects')
    .addOption(jsonOption())
    .action(async (options, command) => {
      await ctx.session(command, false, async (session) => {
        const state = await new WorkerRegistry(session.client, { prefix: session.prefix }).read();
        if (options.json === true) {
          printJson(io.stdout, { prefix: session.prefix, ...state });
          return;
        }
        if (state.workers.length === 0)
          println(io.stdout, `No registered workers${session.prefix === '' ? '' : ` under prefix ${JSON.stringify(session.prefix)}`}.`);
        else {
          const columns = [
            { title: 'WORKER' },
            { title: 'FAMILY' },
            { title: 'NAME' },
            { title: 'ALIVE' },
            { title: 'RUNNING', right: true },
            { title: 'COMPLETED', right: true },
            { title: 'FAILED', right: true },
          ];
          const cells = state.workers.map((w) => [
            w.id,
            w.family,
            w.name,
            w.alive ? (w.paused ? 'paused' : w.waiting !== undefined ? 'waiting' : 'yes') : 'no',
            `${String(w.running)}/${String(w.concurrency)}`,
            String(w.completed),
            String(w.failed),
          ]);
          for (const line of table(columns, cells)) println(io.stdout, line);
        }
        for (const w of state.workers) if (w.alive && w.waiting !== undefined) println(io.stdout, `waiting: ${w.id}: ${w.waiting}`);
        for (const p of state.paused) println(io.stdout, `paused: ${p.family} ${quoted(p.name)} since ${new Date(p.pausedAt).toISOString()}`);
      });
    });
}

/** Builds `good-redis pause` or `good-redis resume`. */
function flagCommand(ctx: CliContext, verb: 'pause' | 'resume'): CommandUnknownOpts {
  const { io } = ctx;
  return new Command(verb)
    .description(
      verb === 'pause'
        ? "pause an object's consumption: every Worker of it stops leasing from its next heartbeat (running jobs finish)"
        : "resume a paused object's consumption: its Workers lease again from their next heartbeat",
    )
    .argument('<family>', `the family: ${OBJECT_FAMILIES.join(', ')}`, checkFamily)
    .argument('<name>', 'the object', checkName)
    .addOption(jsonOption())
    .action(async (family, name, options, command) => {
      await ctx.session(command, false, async (session) => {
        const registry = new WorkerRegistry(session.client, { prefix: session.prefix });
        const changed = verb === 'pause' ? await registry.pause({ family, name }) : await registry.resume({ family, name });
        if (options.json === true) printJson(io.stdout, { family, name, changed });
        else if (verb === 'pause') println(io.stdout, changed ? `paused ${family} ${quoted(name)}` : `${family} ${quoted(name)} was paused already`);
        else println(io.stdout, changed ? `resumed ${family} ${quoted(name)}` : `${family} ${quoted(name)} was not paused`);
      });
    });
}

/** Builds `good-redis pause`. */
export function pauseCommand(ctx: CliContext): CommandUnknownOpts {
  return flagCommand(ctx, 'pause');
}

/** Builds `good-redis resume`. */
export function resumeCommand(ctx: CliContext): CommandUnknownOpts {
  return flagCommand(ctx, 'resume');
}

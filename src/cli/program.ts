/**
 * The `good-redis` command line: the program, its global options, and the commands, one file
 * each under `commands/<family>/`. docs/cli.md shows the same help texts (a test keeps them
 * equal).
 *
 * @module
 */
import { Command, CommanderError, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { ExitCode, describeFailure, println, type CliIO, type ExitCodeValue } from './cli-support.js';
import { cliContext } from './context.js';
import { QUEUE_COMMANDS, QUEUE_TOOLS } from './commands/queue/index.js';
import { TOPIC_COMMANDS, TOPIC_TOOLS } from './commands/topic/index.js';
import { TASK_COMMANDS, TASK_DAEMONS, TASK_TOOLS } from './commands/task/index.js';
import { STREAM_COMMANDS, STREAM_TOOLS, type CommandFactory } from './commands/stream/index.js';
import { dashboardCommand } from './commands/observe/dashboard.js';
import { pauseCommand, resumeCommand, workersCommand } from './commands/observe/workers.js';
import { aclCommand } from './commands/observe/acl.js';

export { confirm } from './context.js';

/** The version `good-redis --version` prints (package.json's). */
export const CLI_VERSION = '0.1.0';

/**
 * Runs `good-redis` with the given arguments.
 *
 * @param argv - the arguments after the program name
 * @param io - the streams and environment to use
 * @returns the exit code
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const outcome: { code: ExitCodeValue } = { code: ExitCode.Ok };
  const program = buildProgram(io, outcome);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    const { message, code } = describeFailure(err);
    println(io.stderr, `good-redis: ${message}`);
    return code;
  }
}

/**
 * Builds the command tree. Actions write to `io` and set `outcome.code` when they end in a
 * non-zero code without an error (a refused add, an import with bad lines).
 *
 * @param io - the streams and environment
 * @param outcome - receives the exit code of a run that did not throw
 * @returns the program
 */
export function buildProgram(io: CliIO, outcome: { code: ExitCodeValue }): Command {
  const program = new Command('good-redis')
    .description('Look at and change good-redis streams, queues, topics and task queues; run the expirer and task worker daemons.')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .addOption(
      new Option('--url <url>', 'Redis URL (redis:// or rediss://); default: REDIS_URL, or REDIS_CLUSTER_NODES, or REDIS_SENTINELS, or localhost:6379'),
    )
    .addOption(new Option('--prefix <prefix>', 'key prefix of the registry and the streams').env('GOOD_REDIS_PREFIX').default(''))
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
      outputError: (text, write) => {
        // One line: commander puts its "(Did you mean …?)" on a line of its own.
        write(
          `good-redis: ${text
            .replace(/^error: /, '')
            .trimEnd()
            .replace(/\n+/g, ' ')}\n`,
        );
      },
    })
    .configureHelp({
      showGlobalOptions: true,
      subcommandTerm: (cmd) => [cmd.name(), ...cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`))].join(' '),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nExit codes: 0 done, 1 failed, 2 bad usage, 3 done in part (refused, not queued, bad lines).\nDocs: docs/cli.md');
  program.helpCommand(false);

  const ctx = cliContext(io, outcome);
  /** Adds a command made by a factory, with the settings (output, exit, help) of its parent. */
  const add = (parent: CommandUnknownOpts, make: CommandFactory): void => {
    parent.addCommand(make(ctx).copyInheritedSettings(parent));
  };

  const [listing, ...daemons] = STREAM_TOOLS;
  if (listing !== undefined) add(program, listing);
  const streamGroup = program
    .command('stream')
    .description('the commands on one prioritized stream (each is also a command of its own: good-redis stream add is good-redis add)')
    .helpCommand(false);
  for (const make of STREAM_COMMANDS) add(streamGroup, make);
  // Today's short forms: good-redis add is good-redis stream add.
  for (const make of STREAM_COMMANDS) add(program, make);
  for (const make of QUEUE_TOOLS) add(program, make);
  const queueGroup = program.command('queue').description('the commands on one reliable queue or pool').helpCommand(false);
  for (const make of QUEUE_COMMANDS) add(queueGroup, make);
  for (const make of TOPIC_TOOLS) add(program, make);
  const topicGroup = program.command('topic').description('the commands on one partitioned topic and its consumer groups').helpCommand(false);
  for (const make of TOPIC_COMMANDS) add(topicGroup, make);
  for (const make of TASK_TOOLS) add(program, make);
  const taskGroup = program.command('task').description('the commands of the task brokers (each daemon is also a command of its own)').helpCommand(false);
  for (const make of TASK_COMMANDS) add(taskGroup, make);
  for (const make of daemons) add(program, make);
  for (const make of TASK_DAEMONS) add(program, make);
  add(program, workersCommand);
  add(program, pauseCommand);
  add(program, resumeCommand);
  add(program, dashboardCommand);
  add(program, aclCommand);

  return program;
}

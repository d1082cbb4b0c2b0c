/**
 * `good-redis import`: add items from a JSON-lines or CSV file (- for standard input), in atomic batches.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { AddMode } from '../../../prioritized/types.js';
import { CliError, ExitCode, formatDuration, parseCount, printJson, println, type CliIO } from '../../cli-support.js';
import { checkName, codecOption, jsonOption, type CliContext } from '../../context.js';
import { IMPORT_FORMATS, formatOf, importLines, type ImportSummary } from '../../import.js';
import { ProgressBar } from '../../progress.js';
import { ADD_MODES } from './shared.js';

/** Builds `good-redis import`. */
export function importItemsCommand(ctx: CliContext): CommandUnknownOpts {
  const { io, outcome } = ctx;
  return new Command('import')
    .description('add items from a JSON-lines or CSV file (- for standard input), in atomic batches')
    .argument('<name>', 'the stream (created if new)', checkName)
    .argument('<file>', 'lines of {"key","value","priority"}, or CSV key,value[,priority]')
    .addOption(new Option('--format <format>', 'the file format; default: from the file name').choices(IMPORT_FORMATS))
    .addOption(new Option('--batch <n>', 'items per atomic script').argParser(parseCount('--batch', 1, 10_000)).default(1000))
    .option('--readd', 'clear gating and cooldowns of the imported keys first, and take them out of the dead letters')
    .addOption(
      new Option('--mode <mode>', 'the priority of a key already queued: add to it (a re-run doubles it), replace it, or keep the higher')
        .choices(ADD_MODES)
        .default('sum'),
    )
    .addOption(codecOption())
    .option('--no-progress', 'no progress bar (it is drawn only on a terminal anyway)')
    .addOption(jsonOption())
    .action(async (name, file, options, command) => {
      const format = formatOf(file, options.format);
      let size: number | undefined;
      if (file !== '-') {
        try {
          size = (await stat(file)).size;
        } catch (err) {
          throw new CliError(`cannot read ${JSON.stringify(file)}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      await ctx.session(command, false, async ({ registry }) => {
        const input = file === '-' ? io.stdin : createReadStream(file);
        const progress = options.progress ? new ProgressBar(io.stderr, size) : undefined;
        const summary = await importLines(registry.stream(name, { chunkSize: options.batch }), input, {
          format,
          batchSize: options.batch,
          readd: options.readd === true,
          mode: options.mode,
          codec: options.codec,
          progress,
          bytesRead: () => ('bytesRead' in input ? input.bytesRead : 0),
        });
        if (options.json === true) printJson(io.stdout, summary);
        else printImportSummary(io, file, summary, options.mode);
        if (rejectedTotal(summary) > 0 || summary.badLines.length > 0) outcome.code = ExitCode.Partial;
      });
    });
}

/** Items the import's add scripts refused, for any reason. */
function rejectedTotal(s: ImportSummary): number {
  return s.rejected.gated + s.rejected.cooling + s.rejected.inFlight + s.rejected.dead;
}

function printImportSummary(io: CliIO, file: string, s: ImportSummary, mode: AddMode): void {
  const out = (line: string): void => {
    println(io.stdout, line);
  };
  const rejected = rejectedTotal(s);
  out(
    `Imported ${file === '-' ? 'standard input' : JSON.stringify(file)} (${s.format}) into ${JSON.stringify(s.stream)} in ${formatDuration(s.durationMs)}, ${String(s.itemsPerSecond)} items/s`,
  );
  out(`  lines      ${String(s.lines)}`);
  out(`  added      ${String(s.added)} new key(s)`);
  out(`  merged     ${String(s.merged)} key(s) already queued: value replaced, priority ${MERGES[mode]}`);
  out(
    `  rejected   ${String(rejected)} (gated ${String(s.rejected.gated)}, cooling ${String(s.rejected.cooling)}, in flight ${String(s.rejected.inFlight)}, dead ${String(s.rejected.dead)})`,
  );
  out(`  bad lines  ${String(s.badLines.length)}`);
  const shown = s.badLines.slice(0, 10);
  for (const bad of shown) out(`    line ${String(bad.line)}: ${bad.reason}`);
  if (s.badLines.length > shown.length) out(`    … and ${String(s.badLines.length - shown.length)} more (--json lists them all)`);
  if (s.merged > 0 && mode === 'sum') out("hint: running the import again sums these priorities again; --mode replace (or max) keeps the file's priorities");
}

/** What each add mode does to the priority of a key that is already queued, for the import summary. */
const MERGES: Readonly<Record<AddMode, string>> = { sum: "summed with the file's", replace: "replaced by the file's", max: 'the higher of the two kept' };

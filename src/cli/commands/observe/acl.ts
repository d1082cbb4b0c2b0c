/**
 * `good-redis acl <role>`: the `ACL SETUSER` line of a least-privilege user for one role under
 * the prefix (the SDK's `aclRule`), to paste into `redis-cli` with a password added. It reads
 * nothing from Redis.
 *
 * @module
 */
import { Argument, Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { ACL_ROLES, aclRule } from '../../../security/acl.js';
import { printJson, println, usage } from '../../cli-support.js';
import { jsonOption, type CliContext } from '../../context.js';

/** Builds `good-redis acl`. */
export function aclCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('acl')
    .description('print the ACL SETUSER line of a least-privilege Redis user for a role under the prefix (add a password: >secret)')
    .addArgument(new Argument('<role>', 'who the user is').choices(ACL_ROLES))
    .addOption(new Option('--user <name>', 'the user name (default: the role)'))
    .addOption(jsonOption())
    .action((role, options, command) => {
      const { prefix } = command.optsWithGlobals() as { prefix: string };
      const user = options.user ?? role;
      if (!/^[^\s<>]+$/.test(user)) throw usage(`the user name must be one word, got ${JSON.stringify(user)}`);
      const rule = aclRule(role, { prefix });
      if (options.json === true) printJson(io.stdout, { role, prefix, user, rule });
      else println(io.stdout, `ACL SETUSER ${user} reset on ${rule.join(' ')}`);
    });
}

/** The observe scripts declare the keys their script tables send (two sets: the worker registry and the history). */
import { HISTORY_SCRIPTS } from '../../../src/observe/history.js';
import { WORKER_SCRIPTS, workerRegistryKeys } from '../../../src/observe/worker-registry.js';
import { describeScriptKeys } from '../scripting/script-keys.js';

describeScriptKeys('the worker registry', WORKER_SCRIPTS, 'observe', Object.keys(workerRegistryKeys()), [HISTORY_SCRIPTS]);
describeScriptKeys('the history', HISTORY_SCRIPTS, 'observe', ['history'], [WORKER_SCRIPTS]);

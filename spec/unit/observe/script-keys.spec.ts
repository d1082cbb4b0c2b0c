/** The worker registry's scripts declare the keys their script table sends. */
import { WORKER_SCRIPTS, workerRegistryKeys } from '../../../src/observe/worker-registry.js';
import { describeScriptKeys } from '../scripting/script-keys.js';

describeScriptKeys('the worker registry', WORKER_SCRIPTS, 'observe', Object.keys(workerRegistryKeys()));

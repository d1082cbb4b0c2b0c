/** The queue scripts declare exactly the keys they touch (see spec/unit/scripting/script-keys.ts). */
import { queueKeys } from '../../../src/index.js';
import { QUEUE_SCRIPTS } from '../../../src/queues/scripts.js';
import { describeScriptKeys } from '../scripting/script-keys.js';

describeScriptKeys('reliable queues', QUEUE_SCRIPTS, 'queues', Object.keys(queueKeys('name')));

/** The stream scripts declare exactly the keys they touch (see spec/unit/scripting/script-keys.ts). */
import { streamKeys } from '../../../src/index.js';
import { STREAM_SCRIPTS } from '../../../src/prioritized/scripts.js';
import { describeScriptKeys } from '../scripting/script-keys.js';

describeScriptKeys('prioritized streams', STREAM_SCRIPTS, 'prioritized', Object.keys(streamKeys('name')));

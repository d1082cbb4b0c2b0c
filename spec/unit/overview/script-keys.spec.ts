/** The history's script declares the keys its script table sends. */
import { HISTORY_SCRIPTS } from '../../../src/overview/history.js';
import { describeScriptKeys } from '../scripting/script-keys.js';

describeScriptKeys('the history', HISTORY_SCRIPTS, 'overview', ['history']);

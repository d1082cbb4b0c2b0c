/** The task scripts' declared keys agree with the script tables (two sets: queue and result). */
import { TASK_QUEUE_SCRIPTS, TASK_RESULT_SCRIPTS } from '../../../src/tasks/scripts.js';
import { taskQueueKeys, taskResultKeys } from '../../../src/tasks/task-keys.js';
import { describeScriptKeys } from '../scripting/script-keys.js';

describeScriptKeys('task queues', TASK_QUEUE_SCRIPTS, 'tasks', Object.keys(taskQueueKeys('q')), [TASK_RESULT_SCRIPTS]);
describeScriptKeys('task results', TASK_RESULT_SCRIPTS, 'tasks', Object.keys(taskResultKeys('t')), [TASK_QUEUE_SCRIPTS]);

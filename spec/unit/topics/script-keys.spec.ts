/** The topic scripts' declared keys agree with the script tables (two sets: topic-level and partition). */
import { PARTITION_SCRIPTS, TOPIC_SCRIPTS } from '../../../src/topics/scripts.js';
import { groupKeys, partitionGroupKeys } from '../../../src/topics/topic-keys.js';
import { describeScriptKeys } from '../scripting/script-keys.js';

describeScriptKeys('topic coordination', TOPIC_SCRIPTS, 'topics', Object.keys(groupKeys('t', 'g')), [PARTITION_SCRIPTS]);
describeScriptKeys('topic partitions', PARTITION_SCRIPTS, 'topics', Object.keys(partitionGroupKeys('t', 0, 'g')), [TOPIC_SCRIPTS]);

/** Lambda entry point: log files from the log queue. */
import { awsWorkerDependencies } from './aws-dependencies.js';
import { createWorkerHandler } from './worker-handler.js';

export const handler = createWorkerHandler(awsWorkerDependencies('log'));

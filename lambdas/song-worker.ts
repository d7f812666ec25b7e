/** Lambda entry point: song files from the song queue. */
import { awsWorkerDependencies } from './aws-dependencies.js';
import { createWorkerHandler } from './worker-handler.js';

export const handler = createWorkerHandler(awsWorkerDependencies('song'));

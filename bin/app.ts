#!/usr/bin/env node
/**
 * CDK entry point (cdk.json runs it with `npx tsx bin/app.ts`). cdk-nag's AwsSolutions checks run
 * on every synth through configureApp: an unacknowledged finding fails `cdk synth`/`cdk deploy`.
 *
 *   npx cdk deploy                          # creates a landing bucket
 *   npx cdk deploy -c inputBucket=my-bucket # ingests from an existing bucket
 */
import { App } from 'aws-cdk-lib';
import { configureApp } from '../lib/app.js';

configureApp(new App());

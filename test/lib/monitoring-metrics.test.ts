/**
 * The dashboard and the alarms graph only metrics the functions really emit. Every metric of the
 * synthesized template in the lake's own namespace (the dashboard's widgets and every alarm) must
 * be one that the worker and compaction handlers published when run here, with the same
 * namespace, name and service dimension: renaming a metric in a handler, or graphing one nobody
 * emits, fails this test instead of leaving an empty graph in production.
 *
 * The handlers run as deployed (src/contract names them and their metrics) over folder stores:
 * one song batch and one log batch with every file outcome the kind can have (src/contract:
 * processed, rejected for songs, removed, failed; records set aside, fields rescued), then a
 * compaction run. (This test found the dashboard graphing FilesRejected for the log worker, which
 * never rejects a whole file.)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompactionHandler } from '../../lambdas/compaction-handler.js';
import { configureApp } from '../../lib/app.js';
import {
  COMPACTION_SERVICE,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
  SOURCE_KIND_FACTS,
  SOURCE_KINDS,
} from '../../src/contract/index.js';
import { DEFAULT_COMPACTION } from '../../src/pipeline/compact.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { FaultyObjectStore } from '../support/faults/fault-store.js';
import { lambdaContext } from '../support/local-s3.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';
import { captureObservability, type CapturedObservability, type MetricIdentity } from '../support/powertools.js';
import { container, eventRecord } from '../support/worker-harness.js';
import { cdkJsonContext, flatten, resourcesOfType, type CfnTemplate } from './synth.js';

const SONG = 'song_data/A/A/A/TRAAAAW128F429D538.json';
const LOG = 'log_data/2018/11/2018-11-01-events.json';

interface Named {
  readonly where: string;
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Every metric a dashboard widget graphs: `[namespace, name, dim1, value1, …, {options}]`, `.` repeating the line before. */
function dashboardMetrics(json: CfnTemplate): Named[] {
  const out: Named[] = [];
  for (const [id, dashboard] of resourcesOfType(json, 'AWS::CloudWatch::Dashboard')) {
    const body = JSON.parse(flatten(dashboard.Properties?.DashboardBody)) as {
      widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
    };
    for (const widget of body.widgets) {
      let previous: string[] = [];
      for (const line of widget.properties.metrics ?? []) {
        const parts = line
          .filter((part): part is string => typeof part === 'string')
          .map((part, i) => (part === '.' ? (previous[i] ?? '.') : part));
        previous = parts;
        const [namespace = '', name = '', ...pairs] = parts;
        const dimensions: Record<string, string> = {};
        for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
        out.push({ where: `${id}: ${widget.properties.title ?? 'widget'}`, namespace, name, dimensions });
      }
    }
  }
  return out;
}

/** Every metric an alarm watches, directly or inside a metric-math expression. */
function alarmMetrics(json: CfnTemplate): Named[] {
  const out: Named[] = [];
  for (const [id, alarm] of resourcesOfType(json, 'AWS::CloudWatch::Alarm')) {
    const p = alarm.Properties ?? {};
    const stats = [
      ...(p.MetricName ? [{ Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions }] : []),
      ...(
        (p.Metrics ?? []) as {
          MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: unknown[] } };
        }[]
      ).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : [])),
    ] as { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] }[];
    for (const stat of stats) {
      const dimensions = Object.fromEntries((stat.Dimensions ?? []).map((d) => [d.Name, flatten(d.Value)]));
      out.push({ where: id, namespace: stat.Namespace, name: stat.MetricName, dimensions });
    }
  }
  return out;
}

const identity = (m: { namespace: string; name: string; dimensions: Readonly<Record<string, string>> }): string =>
  `${m.namespace} ${m.name} ${JSON.stringify(Object.entries(m.dimensions).sort())}`;

let json: CfnTemplate;
const emitted: MetricIdentity[] = [];
const observed: CapturedObservability[] = [];
const dir = tempDir('monitoring-metrics');

beforeAll(async () => {
  // The stack as bin/app.ts builds it; bundling skipped (no stack is listed for it): only the template matters here.
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  json = Template.fromStack(configureApp(app)).toJSON() as CfnTemplate;

  const landing = join(dir.path, 'landing');
  const lake = new FsObjectStore(join(dir.path, 'lake'));
  const put = (key: string, text: string) => {
    mkdirSync(dirname(join(landing, key)), { recursive: true });
    writeFileSync(join(landing, key), text);
  };
  // A field the schema does not know is rescued (FieldsRescued) in song and log files alike.
  const song = readFileSync(join(SAMPLE_DIR, SONG), 'utf8').replace(/^\{/, '{"appVersion":"2.1",');
  put(SONG, song);
  put('song_data/A/A/A/another.json', song);
  put('song_data/A/A/A/bad.json', 'not json');
  put('song_data/A/A/A/unreadable.json', song);
  const lines = readFileSync(join(SAMPLE_DIR, LOG), 'utf8')
    .split('\n')
    .map((line) => line.replace(/^\{/, '{"appVersion":"2.1",'));
  put(LOG, ['not json', ...lines].join('\n'));
  put('log_data/2018/11/unreadable.json', lines.join('\n'));

  const source = new FaultyObjectStore(new FsObjectStore(landing), {
    failRead: (key) => key.endsWith('unreadable.json'),
  });
  for (const kind of SOURCE_KINDS) {
    const obs = captureObservability({
      serviceName: SOURCE_KIND_FACTS[kind].serviceName,
      namespace: METRICS_NAMESPACE,
    });
    observed.push(obs);
    const worker = container(kind, source, lake, { observability: obs });
    const keys =
      kind === 'song'
        ? [SONG, 'song_data/A/A/A/bad.json', 'song_data/A/A/A/gone.json', 'song_data/A/A/A/unreadable.json']
        : [LOG, 'log_data/2018/11/gone.json', 'log_data/2018/11/unreadable.json'];
    await worker.run(keys.map((key) => eventRecord('landing', key)));
    // A second batch into the same partition, so that compaction has a group to merge.
    if (kind === 'song') await worker.run([eventRecord('landing', 'song_data/A/A/A/another.json')]);
    emitted.push(...obs.metricIdentities());
  }

  const obs = captureObservability({ serviceName: COMPACTION_SERVICE, namespace: METRICS_NAMESPACE });
  observed.push(obs);
  const compaction = createCompactionHandler({
    lake,
    logger: obs.logger,
    metrics: obs.metrics,
    options: { ...DEFAULT_COMPACTION, minFiles: 2 },
  });
  const run = await compaction({}, lambdaContext(COMPACTION_SERVICE, 15 * 60 * 1000));
  expect(run.groups).toBeGreaterThan(0);
  emitted.push(...obs.metricIdentities());
});

afterAll(() => {
  for (const obs of observed) obs.restore();
  dir.cleanup();
});

describe('monitoring names only metrics the code emits', () => {
  it('the scenario made the handlers emit in the lake namespace, under their service names', () => {
    const services = new Set(emitted.map((m) => m.dimensions[SERVICE_DIMENSION]));
    expect(services).toEqual(
      new Set([...SOURCE_KINDS.map((k) => SOURCE_KIND_FACTS[k].serviceName), COMPACTION_SERVICE]),
    );
    expect(new Set(emitted.map((m) => m.namespace))).toEqual(new Set([METRICS_NAMESPACE]));
  });

  it('every dashboard metric in the lake namespace is emitted, with the same service dimension', () => {
    const graphed = dashboardMetrics(json).filter((m) => m.namespace === METRICS_NAMESPACE);
    expect(graphed.length).toBeGreaterThan(0);
    const known = new Set(emitted.map(identity));
    expect(graphed.filter((m) => !known.has(identity(m))).map((m) => `${m.where}: ${identity(m)}`)).toEqual([]);
  });

  it('every alarm on a metric of the lake namespace watches one that is emitted', () => {
    const known = new Set(emitted.map(identity));
    const watched = alarmMetrics(json).filter((m) => m.namespace === METRICS_NAMESPACE);
    expect(watched.filter((m) => !known.has(identity(m))).map((m) => `${m.where}: ${identity(m)}`)).toEqual([]);
    // The other alarms watch AWS's own metrics of the queues and functions.
    for (const m of alarmMetrics(json).filter((a) => a.namespace !== METRICS_NAMESPACE))
      expect(m.namespace).toMatch(/^AWS\//);
  });

  it('would catch a graphed metric that nothing emits', () => {
    const known = new Set(emitted.map(identity));
    const renamed = {
      namespace: METRICS_NAMESPACE,
      name: 'FilesProcesed',
      dimensions: { [SERVICE_DIMENSION]: SOURCE_KIND_FACTS.song.serviceName },
    };
    expect(known.has(identity(renamed))).toBe(false);
    expect(known.has(identity({ ...renamed, name: 'FilesProcessed' }))).toBe(true);
  });
});

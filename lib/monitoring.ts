/**
 * Alarms and one dashboard for the ingest path: queue depth and age, dead-letter queues, the
 * workers' invocations, errors, throttles and duration, and the workers' own Powertools metrics
 * (files processed/rejected/failed, rows written per table, records set aside).
 *
 * The workers answer SQS with a partial batch response, so a failing *file* is not a Lambda
 * error: it shows as FilesFailed, then as a retry, and after maxReceiveCount in the dead-letter
 * queue, which is what the DLQ alarm is for. The Errors alarm catches crashes and timeouts.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  COMPACTION_METRICS,
  COMPACTION_SERVICE,
  FILE_OUTCOME_METRICS,
  METRICS_NAMESPACE,
  rowsWrittenMetric,
  SERVICE_DIMENSION,
  SOURCE_KIND_FACTS,
  WORKER_METRICS,
  type CompactionMetricName,
  type SourceKind,
  type WorkerMetricName,
} from '../src/contract/index.js';
import { BASE_REJECTS } from '../src/domain/tables.js';
import type { Compaction } from './compaction.js';
import type { IngestQueue } from './ingest-queues.js';
import { WORKER_SETTINGS } from './settings.js';
import type { IngestWorker } from './workers.js';

export interface MonitoredPath {
  readonly kind: SourceKind;
  readonly queue: IngestQueue;
  readonly worker: IngestWorker;
}

export interface MonitoringProps {
  readonly paths: readonly MonitoredPath[];
  /** The scheduled compaction, alarmed on errors and graphed. */
  readonly compaction?: Compaction;
  /** An existing SNS topic to notify on alarm and on recovery (`-c alarmTopicArn=...`). */
  readonly alarmTopicArn?: string;
}

const PERIOD = Duration.minutes(5);
const title = (kind: SourceKind): string => SOURCE_KIND_FACTS[kind].title;

export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const topic = props.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : undefined;

    for (const path of props.paths) this.addAlarms(path);
    if (props.compaction) {
      this.alarms.push(
        new cloudwatch.Alarm(this, 'CompactionErrorsAlarm', {
          alarmDescription:
            'The daily compaction failed (it is not retried; the next run starts where it stopped). See its log group.',
          metric: props.compaction.function.metricErrors({ statistic: 'Sum', period: PERIOD }),
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    if (topic) {
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(new actions.SnsAction(topic));
        alarm.addOkAction(new actions.SnsAction(topic));
      }
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      periodOverride: cloudwatch.PeriodOverride.AUTO,
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Sparkify lake ingest (${Stack.of(this).stackName})\nAlarms, then queues, workers and what the workers wrote. See docs/OPERATIONS.md.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      graph(
        'Queue depth (visible / in flight)',
        props.paths.flatMap((p) => [
          p.queue.queue.metricApproximateNumberOfMessagesVisible({
            label: `${title(p.kind)} visible`,
            statistic: 'Maximum',
            period: PERIOD,
          }),
          p.queue.queue.metricApproximateNumberOfMessagesNotVisible({
            label: `${title(p.kind)} in flight`,
            statistic: 'Maximum',
            period: PERIOD,
          }),
        ]),
      ),
      graph(
        'Age of oldest message (s)',
        props.paths.map((p) =>
          p.queue.queue.metricApproximateAgeOfOldestMessage({
            label: title(p.kind),
            statistic: 'Maximum',
            period: PERIOD,
          }),
        ),
      ),
      graph(
        'Dead-letter queues (messages)',
        props.paths.map((p) =>
          p.queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            label: `${title(p.kind)} DLQ`,
            statistic: 'Maximum',
            period: PERIOD,
          }),
        ),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Worker invocations / errors / throttles',
        props.paths.flatMap((p) => [
          p.worker.function.metricInvocations({ label: `${title(p.kind)} invocations`, period: PERIOD }),
          p.worker.function.metricErrors({ label: `${title(p.kind)} errors`, period: PERIOD }),
          p.worker.function.metricThrottles({ label: `${title(p.kind)} throttles`, period: PERIOD }),
        ]),
      ),
      graph(
        'Worker duration (ms, p50 / p99 / max)',
        props.paths.flatMap((p) => [
          p.worker.function.metricDuration({ label: `${title(p.kind)} p50`, statistic: 'p50', period: PERIOD }),
          p.worker.function.metricDuration({ label: `${title(p.kind)} p99`, statistic: 'p99', period: PERIOD }),
          p.worker.function.metricDuration({ label: `${title(p.kind)} max`, statistic: 'Maximum', period: PERIOD }),
        ]),
      ),
      graph(
        'Worker concurrency',
        props.paths.map((p) =>
          p.worker.function.metric('ConcurrentExecutions', {
            label: title(p.kind),
            statistic: 'Maximum',
            period: PERIOD,
          }),
        ),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Files (per outcome)',
        props.paths.flatMap((p) =>
          SOURCE_KIND_FACTS[p.kind].fileOutcomes.map((status) => workerMetric(p.kind, FILE_OUTCOME_METRICS[status])),
        ),
      ),
      graph(
        'Rows written (per base table)',
        props.paths.flatMap((p) =>
          [...SOURCE_KIND_FACTS[p.kind].baseTables, BASE_REJECTS.name].map((table) =>
            workerMetric(p.kind, rowsWrittenMetric(table)),
          ),
        ),
      ),
      graph(
        'Records set aside, fields rescued',
        props.paths.flatMap((p) => [
          workerMetric(p.kind, WORKER_METRICS.recordsRejected),
          workerMetric(p.kind, WORKER_METRICS.fieldsRescued),
        ]),
      ),
    );
    if (props.compaction) {
      this.dashboard.addWidgets(
        graph(
          'Compaction',
          Object.values(COMPACTION_METRICS).map((name: CompactionMetricName) =>
            serviceMetric(COMPACTION_SERVICE, name, name),
          ),
        ),
        graph('Compaction duration (ms) / errors', [
          props.compaction.function.metricDuration({ label: 'duration max', statistic: 'Maximum', period: PERIOD }),
          props.compaction.function.metricErrors({ label: 'errors', period: PERIOD }),
        ]),
      );
    }
  }

  private addAlarms({ kind, queue, worker }: MonitoredPath): void {
    const { title } = SOURCE_KIND_FACTS[kind];
    const settings = WORKER_SETTINGS[kind];
    this.alarms.push(
      new cloudwatch.Alarm(this, `${title}DeadLetterAlarm`, {
        alarmDescription: `${title} files failed ${settings.maxReceiveCount} times and are in the dead-letter queue. Fix the cause, then redrive (docs/OPERATIONS.md).`,
        metric: queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, `${title}QueueAgeAlarm`, {
        alarmDescription: `The oldest ${kind} file waiting in its queue is older than ${settings.oldestMessageAlarmAge.toHumanString()}: workers failing or throttled, or a large backfill in progress.`,
        metric: queue.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: PERIOD }),
        threshold: settings.oldestMessageAlarmAge.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, `${title}WorkerErrorsAlarm`, {
        alarmDescription: `The ${kind} worker crashed or timed out (a failing file alone is not an invocation error). See its log group.`,
        metric: worker.function.metricErrors({ statistic: 'Sum', period: PERIOD }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(this, `${title}WorkerThrottlesAlarm`, {
        alarmDescription: `The ${kind} worker was throttled: the account's unreserved concurrency is below the event source's maximum concurrency (${settings.maxConcurrency}).`,
        metric: worker.function.metricThrottles({ statistic: 'Sum', period: PERIOD }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}

/** A metric a worker emits (src/contract), with the worker's service dimension. */
function workerMetric(kind: SourceKind, metricName: WorkerMetricName): cloudwatch.Metric {
  const { serviceName, title } = SOURCE_KIND_FACTS[kind];
  return serviceMetric(serviceName, metricName, `${title} ${metricName}`);
}

function serviceMetric(
  service: string,
  metricName: WorkerMetricName | CompactionMetricName,
  label: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: service },
    statistic: 'Sum',
    period: PERIOD,
    label,
  });
}

function graph(title: string, metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: 8, height: 6 });
}

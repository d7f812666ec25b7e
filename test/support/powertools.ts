/**
 * Powertools Logger and Metrics for tests, with their output captured instead of printed.
 *
 * With POWERTOOLS_DEV set, both write through the global `console` (not a private Console on
 * process.stdout), so spying on console methods captures every log line and every EMF blob.
 * POWERTOOLS_METRICS_DISABLED=false keeps metrics on (dev mode alone would disable them), so the
 * tests can assert the metrics a real invocation publishes.
 */
import { vi } from 'vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

export interface CapturedObservability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Structured log lines, in order. */
  logs(): LogEntry[];
  /** Values of a metric summed over every EMF blob published so far. */
  metricTotal(name: string): number;
  /** Names of every metric published so far. */
  metricNames(): string[];
  /** Every metric published so far, as CloudWatch identifies it: namespace, name and dimensions. */
  metricIdentities(): MetricIdentity[];
  /** Output that was neither a log entry nor EMF (e.g. Powertools warnings). */
  other(): string[];
  /** Forget what was captured. */
  clear(): void;
  /** Put the console and the environment back. */
  restore(): void;
}

interface EmfBlob {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions?: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string }[];
    }[];
  };
  readonly [metric: string]: unknown;
}

export interface MetricIdentity {
  readonly namespace: string;
  readonly name: string;
  /** Dimension name → value, as the EMF blob gives them. */
  readonly dimensions: Readonly<Record<string, string>>;
}

export function captureObservability(options: { serviceName: string; namespace: string }): CapturedObservability {
  // Read by the constructors only: set for construction, then put back.
  const env = { POWERTOOLS_DEV: 'true', POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_LOG_LEVEL: 'DEBUG' };
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  const logs: LogEntry[] = [];
  const emf: EmfBlob[] = [];
  const other: string[] = [];
  const capture = (...args: unknown[]): void => {
    const text = args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      other.push(text);
      return;
    }
    if (parsed && typeof parsed === 'object' && '_aws' in parsed) emf.push(parsed as EmfBlob);
    else if (parsed && typeof parsed === 'object' && 'level' in parsed) logs.push(parsed as LogEntry);
    else other.push(text);
  };
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation(capture),
  );
  const logger = new Logger({ serviceName: options.serviceName });
  const metrics = new Metrics({ namespace: options.namespace, serviceName: options.serviceName });
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const values = (name: string): number[] =>
    emf.flatMap((blob) => {
      const value = blob[name];
      if (typeof value === 'number') return [value];
      if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number');
      return [];
    });
  return {
    logger,
    metrics,
    logs: () => [...logs],
    metricTotal: (name) => values(name).reduce((sum, v) => sum + v, 0),
    metricNames: () => [
      ...new Set(emf.flatMap((blob) => blob._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => m.Name)))),
    ],
    metricIdentities: () =>
      emf.flatMap((blob) =>
        blob._aws.CloudWatchMetrics.flatMap((directive) => {
          const names = directive.Dimensions?.flat() ?? [];
          const dimensions = Object.fromEntries(names.map((name) => [name, String(blob[name])]));
          return directive.Metrics.map((metric) => ({ namespace: directive.Namespace, name: metric.Name, dimensions }));
        }),
      ),
    other: () => [...other],
    clear() {
      logs.length = 0;
      emf.length = 0;
      other.length = 0;
    },
    restore() {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

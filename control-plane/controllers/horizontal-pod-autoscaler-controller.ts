import type { Logger } from '../../common/index.ts';
import { asNumber, asString, cloneJson, ensureObject, getPath, jsonEqual, type JsonObject, type JsonValue } from '../api/json.ts';
import { horizontalPodAutoscalerResource } from '../api/registry/kinds/horizontal-pod-autoscaler.ts';
import { podMetricsResource } from '../api/registry/kinds/pod-metrics.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import type { ResourceDefinition, ScaleSubresource } from '../api/registry/resource.ts';
import { fromLabelSelectorObject, matchesLabels } from '../api/selectors/label-selector.ts';
import {
  isApiStatus, isoSeconds, keyOf, labelsOfObject, nameOf, namespaceOf, newWorkQueue, objectKeyFor, runReconcileLoop, uidOf, withCondition,
  type ConditionUpdate, type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { AutoscalerHistories } from './horizontal-pod-autoscaler-history.ts';
import { historyAfterRescale, planAutoscaler, type AutoscalerDecision, type AutoscalerEvent, type PodUsage } from './horizontal-pod-autoscaler-plan.ts';
import { defaultTolerance } from './horizontal-pod-autoscaler-replicas.ts';
import { podFactsOf, podUsageOf } from './horizontal-pod-autoscaler-samples.ts';

export const horizontalPodAutoscalerComponent = 'horizontal-pod-autoscaler';

export interface AutoscalerOptions {
  /** Each autoscaler is looked at this often (Kubernetes' --horizontal-pod-autoscaler-sync-period, 15 s). */
  readonly syncPeriodMs: number;
  readonly tolerance: number;
}

export const defaultAutoscalerOptions: AutoscalerOptions = { syncPeriodMs: 15_000, tolerance: defaultTolerance };

/** A safety net only: every autoscaler requeues itself each sync period. */
const autoscalerResyncPeriodMs = 300_000;
const autoscalerWorkers = 2;
/** Pods by namespace, so an autoscaler reads only its namespace's pods. */
const namespaceIndex = 'namespace';

export function horizontalPodAutoscalerControllerFactory(options: Partial<AutoscalerOptions> = {}): ControllerFactory {
  return (context) => new HorizontalPodAutoscalerController(context, { ...defaultAutoscalerOptions, ...options });
}

interface ScaleTarget {
  readonly definition: ResourceDefinition & { readonly subresources: { readonly scale: ScaleSubresource } };
  readonly object: JsonObject;
}

/**
 * Kubernetes' HorizontalPodAutoscaler controller on Resource metrics: every sync period it reads the
 * target's scale (Deployment, ReplicaSet, StatefulSet — any kind with a scale subresource), its pods
 * and their PodMetrics, plans the replica count (ratio to target with tolerance, unready and missing
 * pods, stabilization window, scaling policies, min/max) and writes spec.replicas by compare-and-swap.
 */
export class HorizontalPodAutoscalerController implements Controller {
  readonly name = 'horizontal-pod-autoscaler';
  private readonly queue: WorkQueue;
  private readonly autoscalers: Informer;
  private readonly pods: Informer;
  private readonly podMetrics: Informer;
  private readonly histories = new AutoscalerHistories();
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext, private readonly options: AutoscalerOptions) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.autoscalers = context.informers.informerFor(horizontalPodAutoscalerResource);
    this.pods = context.informers.informerFor(podResource);
    this.podMetrics = context.informers.informerFor(podMetricsResource);
    this.pods.addIndex(namespaceIndex, (pod) => [namespaceOf(pod)]);
    this.autoscalers.addHandler((change) => {
      const key = keyOf(change.object);
      if (change.type === 'deleted') this.histories.delete(key);
      // A new autoscaler is looked at now; a changed one (our own status writes included) at its next period, as Kubernetes paces them.
      else if (change.type === 'added') this.queue.add(key);
      else this.queue.addAfter(key, this.options.syncPeriodMs);
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: autoscalerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.autoscalers.cache.keys(), resyncPeriodMs: autoscalerResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const autoscaler = this.autoscalers.cache.get(key);
    if (autoscaler === undefined) return undefined;
    const nowMs = this.context.env.clock.nowMs();
    const target = await this.scaleTarget(autoscaler);
    if ('error' in target) {
      this.record(autoscaler, { type: 'Warning', reason: 'FailedGetScale', message: target.error });
      await this.writeStatus(autoscaler, {}, [{ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${target.error}` }], nowMs);
      return { requeueAfterMs: this.options.syncPeriodMs };
    }
    const scale = target.definition.subresources.scale;
    const specReplicas = asNumber(getPath(target.object, scale.specReplicasPath)) ?? 0;
    const statusReplicas = asNumber(getPath(target.object, scale.statusReplicasPath)) ?? 0;
    const gotScale: ConditionUpdate = { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" };
    const selector = scale.labelSelectorPath === undefined ? undefined : getPath(target.object, scale.labelSelectorPath);
    if (selector === undefined || fromLabelSelectorObject(selector).length === 0) {
      this.record(autoscaler, { type: 'Warning', reason: 'SelectorRequired', message: 'selector is required' });
      await this.writeStatus(autoscaler, { currentReplicas: statusReplicas }, [gotScale, { type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: "the HPA target's scale is missing a selector" }], nowMs);
      return { requeueAfterMs: this.options.syncPeriodMs };
    }
    const pods = this.podsMatching(namespaceOf(autoscaler), selector);
    const decision = planAutoscaler({
      spec: (autoscaler['spec'] ?? {}) as JsonObject, specReplicas, statusReplicas, nowMs, tolerance: this.options.tolerance,
      pods: pods.map(podFactsOf), usage: this.usageOf(namespaceOf(autoscaler), pods, nowMs), history: this.histories.get(key, uidOf(autoscaler)),
    });
    for (const event of decision.events) this.record(autoscaler, event);
    const outcome = decision.rescale ? await this.rescale(autoscaler, target, specReplicas, decision) : undefined;
    const history = outcome?.ok === true ? historyAfterRescale(decision.history, getPath(autoscaler, ['spec', 'behavior']), specReplicas, decision.desiredReplicas, nowMs) : decision.history;
    this.histories.set(key, uidOf(autoscaler), history);
    const status: JsonObject = {
      currentReplicas: statusReplicas,
      desiredReplicas: outcome?.ok === true ? decision.desiredReplicas : specReplicas,
      currentMetrics: decision.currentMetrics,
      ...(outcome?.ok === true ? { lastScaleTime: isoSeconds(nowMs) } : {}),
    };
    await this.writeStatus(autoscaler, status, [gotScale, ...decision.conditions, ...(outcome === undefined ? [] : [outcome.condition])], nowMs);
    return { requeueAfterMs: this.options.syncPeriodMs };
  }

  /** The scaleTargetRef's object, read live (its resourceVersion is the precondition of the rescale). */
  private async scaleTarget(autoscaler: JsonObject): Promise<ScaleTarget | { readonly error: string }> {
    const kind = asString(getPath(autoscaler, ['spec', 'scaleTargetRef', 'kind'])) ?? '';
    const name = asString(getPath(autoscaler, ['spec', 'scaleTargetRef', 'name'])) ?? '';
    const apiVersion = asString(getPath(autoscaler, ['spec', 'scaleTargetRef', 'apiVersion'])) ?? '';
    const registry = this.context.client.registry;
    // Without an apiVersion, the one scalable kind of that name (Kubernetes needs the group; this is lenient).
    const definition = apiVersion === '' ? registry.resources.find((candidate) => candidate.kind === kind && candidate.subresources.scale !== undefined) : registry.findKind(apiVersion, kind);
    if (definition?.subresources.scale === undefined) return { error: `no matches for kind "${kind}" in group "${apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''}" with a scale subresource` };
    const object = await this.context.client.get(definition, namespaceOf(autoscaler), name);
    if (object === null) return { error: `${definition.plural}${definition.group === '' ? '' : `.${definition.group}`} "${name}" not found` };
    return { definition: definition as ScaleTarget['definition'], object };
  }

  private podsMatching(namespace: string, selector: JsonValue): JsonObject[] {
    const requirements = fromLabelSelectorObject(selector);
    return this.pods.cache.byIndex(namespaceIndex, namespace).filter((pod) => matchesLabels(requirements, labelsOfObject(pod)));
  }

  private usageOf(namespace: string, pods: readonly JsonObject[], nowMs: number): Map<string, PodUsage> {
    const usage = new Map<string, PodUsage>();
    for (const pod of pods) {
      const metrics = this.podMetrics.cache.get(objectKeyFor(namespace, nameOf(pod)));
      const sample = metrics === undefined ? undefined : podUsageOf(metrics, nowMs);
      if (sample !== undefined) usage.set(nameOf(pod), sample);
    }
    return usage;
  }

  /** The scale subresource's semantics: spec.replicas replaced, compare-and-swap on the target as read. */
  private async rescale(autoscaler: JsonObject, target: ScaleTarget, from: number, decision: AutoscalerDecision): Promise<{ readonly ok: boolean; readonly condition: ConditionUpdate }> {
    const next = cloneJson(target.object);
    const path = target.definition.subresources.scale.specReplicasPath;
    let parent = next;
    for (const part of path.slice(0, -1)) parent = ensureObject(parent, part);
    parent[path[path.length - 1] ?? 'replicas'] = decision.desiredReplicas;
    try {
      await this.context.client.update(target.definition, next);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.record(autoscaler, { type: 'Warning', reason: 'FailedRescale', message: `New size: ${decision.desiredReplicas}; reason: ${decision.rescaleReason}; error: ${message}` });
      if (!isApiStatus(error, 409) && !isApiStatus(error, 404) && !isApiStatus(error, 422)) this.logger.warn({ err: error, autoscaler: keyOf(autoscaler) }, 'rescale failed');
      return { ok: false, condition: { type: 'AbleToScale', status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${message}` } };
    }
    this.record(autoscaler, { type: 'Normal', reason: 'SuccessfulRescale', message: `New size: ${decision.desiredReplicas}; reason: ${decision.rescaleReason}` });
    this.logger.info({ autoscaler: keyOf(autoscaler), from, to: decision.desiredReplicas, reason: decision.rescaleReason }, 'rescaled');
    return { ok: true, condition: { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${decision.desiredReplicas}` } };
  }

  /** Status fields and conditions merged into what is stored; written by compare-and-swap only when something changed. */
  private async writeStatus(autoscaler: JsonObject, fields: JsonObject, conditions: readonly ConditionUpdate[], nowMs: number): Promise<void> {
    const previous = (autoscaler['status'] ?? {}) as JsonObject;
    let merged: unknown = previous['conditions'];
    for (const condition of conditions) merged = withCondition(merged, condition, isoSeconds(nowMs));
    const status: JsonObject = { ...previous, ...fields, conditions: merged as JsonObject[], observedGeneration: asNumber(getPath(autoscaler, ['metadata', 'generation'])) ?? 1 };
    if (jsonEqual(status, previous)) return;
    try {
      this.autoscalers.observe(await this.context.client.updateStatus(horizontalPodAutoscalerResource, { ...autoscaler, status }));
    } catch (error) {
      if (!isApiStatus(error, 404) && !isApiStatus(error, 409)) throw error;
      // A conflict means someone changed the autoscaler: its update event brings it back.
    }
  }

  private record(autoscaler: JsonObject, event: AutoscalerEvent): void {
    this.context.events.record(horizontalPodAutoscalerComponent, autoscaler, event.type, event.reason, event.message);
  }
}

import type { DeclaredState } from './declared-state.ts';
import { colorVariable, containerName, deploymentManifest, flavourArgs, serviceManifest } from './manifests.ts';
import { templateOf, workloadName, type WorkloadAction } from './plan.ts';

/** One kubectl invocation: its arguments and what goes to its stdin. */
export interface KubectlCommand {
  readonly args: readonly string[];
  readonly input?: string;
}

/**
 * The kubectl command for a change, pure. Every one is idempotent (apply, scale to N, set to V,
 * delete --ignore-not-found), so a retry after an unknown outcome (a timeout while a server died)
 * asks for the same state again instead of doing something twice.
 */
export function kubectlCommandFor(action: WorkloadAction, state: DeclaredState, namespace: string): KubectlCommand {
  const name = workloadName(action.slot);
  const scope = ['-n', namespace];
  switch (action.kind) {
    case 'apply-deployment':
      return { args: ['apply', ...scope, '-f', '-'], input: JSON.stringify(deploymentManifest(namespace, action.slot, action.replicas, action.template)) };
    case 'scale-deployment':
      return { args: ['scale', ...scope, `deployment/${name}`, `--replicas=${action.replicas}`] };
    case 'roll-deployment':
      return rollCommand(action, state, namespace);
    case 'delete-deployment':
      return { args: ['delete', ...scope, 'deployment', name, '--ignore-not-found', '--wait=false'] };
    case 'apply-service':
      return { args: ['apply', ...scope, '-f', '-'], input: JSON.stringify(serviceManifest(namespace, action.slot)) };
    case 'delete-service':
      return { args: ['delete', ...scope, 'service', name, '--ignore-not-found', '--wait=false'] };
  }
}

/** A rolling update through each of kubectl's ways to change a template: set image, set env, a JSON patch of args. */
function rollCommand(action: Extract<WorkloadAction, { kind: 'roll-deployment' }>, state: DeclaredState, namespace: string): KubectlCommand {
  const name = workloadName(action.slot);
  const current = state.deployments[action.slot]?.template ?? { image: 0, color: 0, flavour: 0 };
  const wanted = templateOf({ ...current, [action.field]: action.value });
  const target = ['-n', namespace, `deployment/${name}`];
  switch (action.field) {
    case 'image':
      return { args: ['set', 'image', ...target, `${containerName}=${wanted.image}`] };
    case 'color':
      return { args: ['set', 'env', ...target, `${colorVariable}=${wanted.color}`] };
    case 'flavour': {
      const patch = [{ op: 'replace', path: '/spec/template/spec/containers/0/args', value: flavourArgs(wanted.flavour) }];
      return { args: ['patch', ...target, '--type=json', '-p', JSON.stringify(patch)] };
    }
  }
}

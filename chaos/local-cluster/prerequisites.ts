/** What the prerequisite check looks at; gathered by prerequisite-facts.ts, judged here (pure). */
export interface PrerequisiteFacts {
  /** process.versions.node, e.g. "20.11.1". */
  readonly nodeVersion: string;
  readonly platform: string;
  readonly natsServerPath: string | null;
  readonly kubectlPath: string | null;
  /** /etc/debian_version exists (Debian, Ubuntu and their derivatives use apt). */
  readonly debianLike: boolean;
  readonly root: boolean;
}

export interface Prerequisite {
  readonly what: string;
  /** The exact command (or page) that fixes it. */
  readonly fix: string;
}

export interface PrerequisiteReport {
  /** Missing things `flotilla up` cannot do without. */
  readonly missing: readonly Prerequisite[];
  /** Things the next steps need (kubectl) but the cluster does not. */
  readonly advised: readonly Prerequisite[];
}

export const minimumNodeMajor = 20;

export function checkPrerequisites(facts: PrerequisiteFacts): PrerequisiteReport {
  const sudo = facts.root ? '' : 'sudo ';
  const missing: Prerequisite[] = [];
  const advised: Prerequisite[] = [];
  if (facts.platform !== 'linux') {
    // Nodes get their own loopback addresses (127.0.0.11, …) and agents read /proc: both are Linux's.
    missing.push({ what: `Linux (this is ${facts.platform}): the local cluster gives each node its own 127.0.0.x address and reads /proc`, fix: 'run it in a Linux VM or container' });
  }
  const major = Number.parseInt(facts.nodeVersion.split('.')[0] ?? '', 10);
  if (!Number.isInteger(major) || major < minimumNodeMajor) {
    missing.push({
      what: `Node.js ${minimumNodeMajor} or newer (this is ${facts.nodeVersion})`,
      fix: facts.debianLike ? `Debian 12's nodejs package is 18: install Node.js 20 from https://nodejs.org/en/download (or NodeSource), then run ${sudo}npm ci again` : 'install Node.js 20 or newer from https://nodejs.org/en/download',
    });
  }
  if (facts.natsServerPath === null) {
    missing.push({
      what: 'nats-server (agents and servers talk through NATS)',
      fix: facts.debianLike ? `${sudo}apt-get install -y nats-server` : 'install nats-server from https://github.com/nats-io/nats-server/releases and put it on PATH',
    });
  }
  if (facts.kubectlPath === null) {
    advised.push({ what: 'kubectl (to use the cluster once it is up)', fix: 'install kubectl: https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/' });
  }
  return { missing, advised };
}

export function formatPrerequisites(report: PrerequisiteReport): string {
  const lines: string[] = [];
  if (report.missing.length > 0) {
    lines.push('flotilla up needs:');
    for (const item of report.missing) lines.push(`  - ${item.what}`, `      ${item.fix}`);
  }
  if (report.advised.length > 0) {
    lines.push('Also recommended:');
    for (const item of report.advised) lines.push(`  - ${item.what}`, `      ${item.fix}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

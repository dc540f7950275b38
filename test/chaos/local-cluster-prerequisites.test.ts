import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../../chaos/local-cluster/prerequisite-facts.ts';
import { checkPrerequisites, formatPrerequisites, type PrerequisiteFacts } from '../../chaos/local-cluster/prerequisites.ts';

/** What `flotilla up` checks before starting anything, and the exact command it prints for what is missing. */
describe('flotilla up prerequisites', () => {
  const debian: PrerequisiteFacts = { nodeVersion: '20.11.1', platform: 'linux', natsServerPath: '/usr/sbin/nats-server', kubectlPath: '/usr/bin/kubectl', debianLike: true, root: false };

  it('passes on a Debian machine with Node 20, nats-server and kubectl', () => {
    expect(checkPrerequisites(debian)).toEqual({ missing: [], advised: [] });
    expect(formatPrerequisites(checkPrerequisites(debian))).toBe('');
  });

  it('prints the apt-get command for a missing nats-server (sudo unless root)', () => {
    const report = checkPrerequisites({ ...debian, natsServerPath: null });
    expect(report.missing.map((item) => item.fix)).toEqual(['sudo apt-get install -y nats-server']);
    expect(checkPrerequisites({ ...debian, natsServerPath: null, root: true }).missing[0]?.fix).toBe('apt-get install -y nats-server');
    expect(checkPrerequisites({ ...debian, natsServerPath: null, debianLike: false }).missing[0]?.fix).toMatch(/github\.com\/nats-io\/nats-server\/releases/);
    expect(formatPrerequisites(report)).toMatch(/^flotilla up needs:\n {2}- nats-server.*\n {6}sudo apt-get install -y nats-server\n$/);
  });

  it('refuses Node 18 and a platform other than Linux', () => {
    const old = checkPrerequisites({ ...debian, nodeVersion: '18.19.0' });
    expect(old.missing[0]?.what).toMatch(/Node\.js 20 or newer \(this is 18\.19\.0\)/);
    expect(old.missing[0]?.fix).toMatch(/nodejs\.org/);
    expect(checkPrerequisites({ ...debian, platform: 'darwin' }).missing[0]?.what).toMatch(/Linux \(this is darwin\)/);
  });

  it('advises kubectl without refusing to start', () => {
    const report = checkPrerequisites({ ...debian, kubectlPath: null });
    expect(report.missing).toEqual([]);
    expect(report.advised[0]?.fix).toMatch(/kubernetes\.io\/docs\/tasks\/tools/);
    expect(formatPrerequisites(report)).toMatch(/^Also recommended:/);
  });

  it('finds executables on PATH and in the sbin directories Debian puts nats-server in', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'flotilla-path-'));
    try {
      await writeFile(join(directory, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      await writeFile(join(directory, 'not-executable'), '', { mode: 0o644 });
      expect(await findExecutable('tool', `/nonexistent:${directory}`)).toBe(join(directory, 'tool'));
      expect(await findExecutable('not-executable', directory)).toBeNull();
      // ldconfig (libc-bin, on every Debian) lives in /sbin or /usr/sbin, off a user's PATH.
      expect(await findExecutable('ldconfig', '/nonexistent')).toMatch(/sbin\/ldconfig$/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
